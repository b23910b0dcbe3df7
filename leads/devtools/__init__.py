"""Development helpers: `flask dev ...` (never run in production)."""
