"""A realistic, reproducible homecare scenario for England, written to the database.

``generate_scenario(engine, workers=5000, seed=1, first_day=date(2026, 3, 2))``
makes regions, team areas on real towns, workers with training and rotas,
clients with care plans, and the dated visits of the requested days.
"""

from scheduler.generate.parameters import ScenarioParameters
from scheduler.generate.scenario import default_area_count, generate_scenario
from scheduler.generate.summary import GenerationSummary

__all__ = ["GenerationSummary", "ScenarioParameters", "default_area_count", "generate_scenario"]
