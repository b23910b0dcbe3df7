"""Articles: import from WordPress, sanitize once, serve the page."""
