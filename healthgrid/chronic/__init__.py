"""Hypertension, type 2 diabetes and elderly programs: enrollments, follow-ups, checks and
worklists."""
