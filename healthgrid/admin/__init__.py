"""Administration: backup and restore of the database, the audit log search."""
