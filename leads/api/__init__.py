"""The JSON API: `POST /api/v1/inquiries` for other forms and tools, described by OpenAPI 3.1."""
