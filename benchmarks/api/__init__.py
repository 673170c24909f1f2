"""Load benchmark of the web API (gunicorn on PostgreSQL)."""
