"""The inquiry form alone, for an <iframe> on the clinic's own (WordPress) pages."""
