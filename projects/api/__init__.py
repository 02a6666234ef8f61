"""The REST API under /api/: resources, progress reports, schema."""
