"""Every weight and limit the solver and the validator use, as one small value object.

All durations are whole **seconds**, all money whole **pence**; a cost is a
dimensionless integer added to the solver's objective (the unit is arbitrary: the
defaults make one second of travel cost 1). Defaults follow the rules of homecare
in England (Working Time Regulations 1998, National Minimum Wage, NICE NG21) and
are shipped in ``scheduler/defaults.toml``; :meth:`Parameters.from_toml` reads a
file with any subset of the fields and refuses unknown keys.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

DEFAULTS_PATH = Path(__file__).with_name("defaults.toml")

_METAHEURISTICS = ("GUIDED_LOCAL_SEARCH", "SIMULATED_ANNEALING", "TABU_SEARCH", "GREEDY_DESCENT")


@dataclass(frozen=True, slots=True)
class Parameters:
    """Weights and limits of the rota rules; see ``scheduler/defaults.toml`` for the defaults.

    Hard limits (seconds):

    - ``time_critical_tolerance_seconds``: a time-critical visit starts within this
      of its ``preferred_start`` (NICE: 30 minutes).
    - ``double_handed_sync_tolerance_seconds``: the two carers of a double-handed
      visit start at most this far apart.
    - ``rest_break_seconds`` after at most ``max_work_without_break_seconds`` of
      work (WTR: 20 minutes when the day is over 6 hours); the ``young_`` pair for
      young workers (30 minutes after 4.5 hours).
    - ``daily_rest_seconds`` (11 h; young workers ``young_daily_rest_seconds``,
      12 h) between the end of the previous working day and the start of this one.
    - ``daily_limit_seconds`` (young: ``young_daily_limit_seconds``) of working
      time in the day; ``young_weekly_limit_seconds`` in the calendar week;
      ``weekly_average_limit_seconds`` averaged over ``reference_period_days``
      unless the worker opted out.

    Soft costs (per second unless stated):

    - ``travel_cost_per_second``; ``lateness_cost_per_second`` after the
      preferred start; ``earliness_cost_per_second`` before it.
    - ``gender_mismatch_cost`` per carer of a non-preferred gender (non-strict).
    - ``continuity_not_preferred_cost`` per carer not among the visit's preferred
      workers (when it has some); ``continuity_unfamiliar_cost`` per carer who has
      not visited the client in the last 14 days (when someone has), and a share
      of it for an occasional one (the share by which their visits fall short of
      the client's most regular carer's); ``continuity_extra_carer_cost`` per
      extra distinct carer a client sees today; ``continuity_team_cost`` per
      visit (its first carer) given to a carer outside the client's regular
      team for the week, and ``continuity_new_carer_cost`` more if that carer has
      not served the client earlier in the week either (so visits the team cannot
      take go to carers the client already saw this week).
    - ``published_move_cost`` per carer moved off a published assignment (a
      re-plan starts from the published routes, so one that moves nothing
      keeps its times too); ``published_retime_cost_per_second`` on top of the
      lateness (earliness) cost for starting a published visit later (earlier)
      than published (a re-plan counts both from the published start). A visit the published
      rota left unallocated costs at most ``published_unallocated_drop_penalty``
      to leave out again, so a re-plan places it where it fits without
      reshuffling everyone's day.
    - ``fairness_cost_per_second`` of work (contact + travel) above a worker's
      fair share of the day, in proportion to their hours available.
    - ``minimum_hours_cost_per_second`` below a worker's share of their weekly
      minimum hours.
    - ``wage_shortfall_cost_per_pence`` of pay below the National Living Wage
      (``national_living_wage_pence_per_hour``); ``pay_travel_time`` says
      whether travel between visits is paid on top of contact time.

    Dropping a visit costs ``drop_penalty`` × (6 − priority), × the time-critical
    and double-handed factors (priority 1 is the most important);
    ``fixed_drop_penalty`` for a visit already started.

    Search: ``ruin_recreate_share`` of the time limit goes to our own ruin and
    recreate on the first plan, the rest to OR-Tools local search
    (``metaheuristic``, ``guided_local_search_lambda``), after which left-out
    visits that still fit are put back. ``solution_limit`` (0 = none) stops the
    local search after that many solutions and the ruin and recreate after that
    many rounds: set it for a deterministic run (the time limit must then not be
    reached).
    """

    # Time windows
    time_critical_tolerance_seconds: int = 30 * 60
    lateness_cost_per_second: int = 2
    earliness_cost_per_second: int = 0
    # Double-handed visits
    double_handed_sync_tolerance_seconds: int = 0
    # Working Time Regulations
    rest_break_seconds: int = 20 * 60
    max_work_without_break_seconds: int = 6 * 3600
    young_rest_break_seconds: int = 30 * 60
    young_max_work_without_break_seconds: int = 4 * 3600 + 30 * 60
    daily_rest_seconds: int = 11 * 3600
    young_daily_rest_seconds: int = 12 * 3600
    daily_limit_seconds: int = 13 * 3600
    young_daily_limit_seconds: int = 8 * 3600
    young_weekly_limit_seconds: int = 40 * 3600
    weekly_average_limit_seconds: int = 48 * 3600
    reference_period_days: int = 17 * 7
    # Travel
    travel_cost_per_second: int = 1
    # Client preferences and continuity
    gender_mismatch_cost: int = 3_600
    continuity_not_preferred_cost: int = 1_800
    continuity_unfamiliar_cost: int = 3_600
    continuity_extra_carer_cost: int = 1_800
    continuity_team_cost: int = 3_600
    continuity_new_carer_cost: int = 3_600
    # Published plan
    published_move_cost: int = 20_000
    published_retime_cost_per_second: int = 5
    published_unallocated_drop_penalty: int = 6_000
    # Workload and pay
    fairness_cost_per_second: int = 1
    minimum_hours_cost_per_second: int = 1
    national_living_wage_pence_per_hour: int = 1221
    wage_shortfall_cost_per_pence: int = 5
    pay_travel_time: bool = False
    # Unallocated visits
    drop_penalty: int = 200_000
    time_critical_drop_factor: int = 4
    double_handed_drop_factor: int = 2
    fixed_drop_penalty: int = 1_000_000_000
    # Search
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    guided_local_search_lambda: float = 0.1
    solution_limit: int = 0
    ruin_recreate_share: float = 0.6

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int):
                continue
            if value < 0:
                raise ValueError(f"parameter {item.name} must not be negative, got {value}")
        if self.metaheuristic not in _METAHEURISTICS:
            raise ValueError(
                f"parameter metaheuristic must be one of {', '.join(_METAHEURISTICS)}, "
                f"got {self.metaheuristic!r}"
            )
        if not 0 <= self.ruin_recreate_share < 1:
            raise ValueError("parameter ruin_recreate_share must be in [0, 1)")
        if self.guided_local_search_lambda <= 0:
            raise ValueError("parameter guided_local_search_lambda must be positive")
        for name in ("max_work_without_break_seconds", "young_max_work_without_break_seconds"):
            if getattr(self, name) <= 0:
                raise ValueError(f"parameter {name} must be positive")
        if self.national_living_wage_pence_per_hour <= 0:
            raise ValueError("parameter national_living_wage_pence_per_hour must be positive")

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> Parameters:
        """Parameters from a flat mapping of field names; unknown keys or wrong types raise."""
        known = {item.name: item for item in fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ValueError(
                f"unknown parameter(s): {', '.join(unknown)}; known are: {', '.join(sorted(known))}"
            )
        defaults = cls()
        checked: dict[str, Any] = {}
        for name, value in values.items():
            expected = type(getattr(defaults, name))
            if expected is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if type(value) is not expected:
                raise ValueError(
                    f"parameter {name} must be {expected.__name__}, got {type(value).__name__}"
                )
            checked[name] = value
        return dataclasses.replace(defaults, **checked)

    @classmethod
    def from_toml(cls, path: str | Path) -> Parameters:
        """Parameters from a TOML file: top-level keys, or tables whose keys are fields.

        Tables (e.g. ``[working_time]``) only group keys for the reader; every key
        must name a field, and a key given twice raises ``ValueError``.
        """
        with Path(path).open("rb") as handle:
            document = tomllib.load(handle)
        flat: dict[str, Any] = {}
        for key, value in document.items():
            items = value.items() if isinstance(value, dict) else [(key, value)]
            for name, item in items:
                if name in flat:
                    raise ValueError(f"parameter {name} is given twice in {path}")
                flat[name] = item
        return cls.from_mapping(flat)

    @classmethod
    def defaults(cls) -> Parameters:
        """The shipped defaults, read from ``scheduler/defaults.toml``."""
        return cls.from_toml(DEFAULTS_PATH)

    def to_mapping(self) -> dict[str, Any]:
        """The parameters as a flat mapping of field names to values."""
        return {item.name: getattr(self, item.name) for item in fields(self)}
