"""The coordinators' dashboard: inbox, lead page, actions, export, statistics."""
