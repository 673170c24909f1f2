"""The knobs of the scenario generator, with defaults taken from the domain guide.

Shares are fractions in [0, 1]; times are minutes unless a name says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

WORKERS_PER_AREA = 33
"""Average team size used to choose the number of areas when it is not given."""


@dataclass(frozen=True, slots=True)
class ScenarioParameters:
    """What a generated scenario looks like.

    ``double_handed_share`` and ``time_critical_share`` are fractions of the day's
    visits. ``utilisation`` is the planned work (visit minutes plus
    ``travel_minutes_per_visit`` for each carer, double-handed visits counted
    twice) divided by the on-duty availability minutes of an average weekday
    (rostered minutes less ``absence_share``); each team's demand is built up to
    it, so a day is busy but plannable. ``absence_share`` is the fraction of
    rostered workers away (leave, sickness, training) on each generated day.
    ``time_critical_tolerance_minutes`` is how far a time-critical visit may start
    from its prescribed time (NICE: 30 minutes).
    ``expired_training_share`` is the chance a record that expires was not renewed in
    time. ``declined_carer_share`` and ``preferred_carer_share`` are fractions of
    clients with a declined, or a preferred, carer. ``inactive_client_share`` is
    the fraction of clients marked inactive (in hospital, say), who get no visits.
    ``national_living_wage_pence`` is the lowest hourly pay (£12.21 from April 2025).

    Every visit of every other client is placed so that its team can cover it: on
    each weekday it recurs, more rostered carers than it needs (one spare, for an
    absence) hold its skills, meet a strict gender preference and are on shift
    across its window. ``uncovered_client_share`` is the fraction of clients drawn
    without regard to the team's training and rosters (a package taken on before
    the team is trained or staffed for it), so some of their visits may have no
    qualified carer on shift at all: the scenario's capacity then does not cover
    all of its demand. Set it to 0 for a scenario whose capacity covers demand
    visit by visit.
    """

    double_handed_share: float = 0.15
    time_critical_share: float = 0.07
    utilisation: float = 0.90
    travel_minutes_per_visit: int = 9
    absence_share: float = 0.035
    time_critical_tolerance_minutes: int = 30
    expired_training_share: float = 0.05
    declined_carer_share: float = 0.04
    preferred_carer_share: float = 0.30
    inactive_client_share: float = 0.01
    national_living_wage_pence: int = 1221
    uncovered_client_share: float = 0.01

    def __post_init__(self) -> None:
        for name in (
            "double_handed_share",
            "time_critical_share",
            "absence_share",
            "expired_training_share",
            "declined_carer_share",
            "preferred_carer_share",
            "inactive_client_share",
            "uncovered_client_share",
        ):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")
        if not 0.1 <= self.utilisation <= 1.2:
            raise ValueError(f"utilisation must be between 0.1 and 1.2, got {self.utilisation}")
        if self.travel_minutes_per_visit < 0:
            raise ValueError("travel_minutes_per_visit must not be negative")
        if self.time_critical_tolerance_minutes <= 0:
            raise ValueError("time_critical_tolerance_minutes must be positive")
