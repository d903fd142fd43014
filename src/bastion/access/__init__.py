"""Accounts, agencies, role grants, sessions and tokens, the audit trail."""
