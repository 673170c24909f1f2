"""The national-scale planning benchmark: ``python -m benchmarks.national``."""
