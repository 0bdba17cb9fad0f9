"""Cross-cutting pieces every feature uses: settings, logging, errors, security, database."""
