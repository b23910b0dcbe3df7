"""Dashboard accounts: login, sessions, roles, the users CLI."""
