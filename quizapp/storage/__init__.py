"""Storage: the database, its models and migrations, and what is stored (results, roll-ups,
links, accounts). May import ``assessment``; nothing of the web app."""
