"""Subscriptions: plans, hosted checkout, customer portal and a webhook ledger."""
