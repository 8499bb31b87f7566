"""Reporting: statistics, dashboards, group figures and their disclosure rules, result reports,
charts, exports and the admin's review of item statistics. May import ``storage`` and
``assessment``."""
