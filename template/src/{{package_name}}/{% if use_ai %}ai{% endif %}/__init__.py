"""AI features: model calls behind provider protocols, and the usage ledger with quotas."""
