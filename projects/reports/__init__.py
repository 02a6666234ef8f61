"""Progress reports: pure measures (`measures`), the queries that feed them and their renderers."""
