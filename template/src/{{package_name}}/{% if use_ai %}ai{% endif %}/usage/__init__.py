"""The usage ledger: one append-only row per model call, monthly quotas, usage reports."""
