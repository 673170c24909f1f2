"""Small read models and commands for the web layer.

Every function takes the database session as a keyword-only ``session=`` (or an
engine for the job process), so views stay thin and never build queries.
"""
