"""Hash-chained audit trail written by every service in the same transaction as its change."""
