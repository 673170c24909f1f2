"""Persistence: the tables, the engine, migrations. The only code that knows SQL."""
