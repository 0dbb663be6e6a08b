"""Accounts, sign-in, roles and scopes, API tokens and the audit log."""
