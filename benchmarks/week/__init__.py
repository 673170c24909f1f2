"""A simulated week of daily planning with disruptions: ``python -m benchmarks.week``."""
