"""Admins: statistics across the service, exports, accounts and rubric quality."""
