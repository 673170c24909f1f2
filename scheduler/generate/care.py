"""Clients, their carer preferences and their recurring care plans.

Demand is built to fit the team that serves it: each area's rostered availability
(per weekday, less expected absences) is cut into half-hour bins, and
clients are added one by one, each visit placed at a time whose bins still have
room, until planned work (visit plus travel minutes, per carer) reaches the
target utilisation. Every visit is also placed only where its team can cover it,
visit by visit: on each weekday it recurs, at least ``carers_required`` +
``COVER_SPARE`` rostered carers of the area hold its skills (valid on every
generated day), meet a strict gender preference and have a shift that can hold it
somewhere in its window (:class:`RosterCover`) — except for the
``uncovered_client_share`` of clients drawn without regard to the team. Times are
local minutes after midnight; durations minutes.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

from scheduler.db.models import CarerPreferenceKind, GenderPreference
from scheduler.generate.geography import AreaSite, postcode, scatter
from scheduler.generate.names import access_note, older_person_name, street_address
from scheduler.generate.parameters import ScenarioParameters
from scheduler.generate.people import WorkerDraft
from scheduler.nhs_number import random_nhs_number

Row = dict[str, Any]

DAY_START, DAY_END = 7 * 60, 22 * 60
"""No visit starts before 07:00 or ends after 22:00 (local)."""
BIN_MINUTES, FIRST_BIN = 30, 6 * 60
BINS = (23 * 60 - FIRST_BIN) // BIN_MINUTES
STEP_MINUTES = 15
BIN_LIMIT = 0.85
"""A half-hour bin of a weekday may be planned up to this fraction of the on-duty minutes
rostered in it (visit plus travel allowance, per carer), so every hour of every day has
carers to cover its demand, with a margin for travel above the allowance and for
double-handed visits, which need two carers free at once."""

SLOTS = ("morning", "lunch", "tea", "bed")
SLOT_RANGES = {"morning": (420, 660), "lunch": (675, 870), "tea": (900, 1080), "bed": (1110, 1290)}
"""Range of preferred start times per call (07:00–11:00, 11:15–14:30, 15:00–18:00, 18:30–21:30)."""
PRESCRIBED_RANGES = {
    "morning": (450, 540),
    "lunch": (720, 780),
    "tea": (960, 1050),
    "bed": (1200, 1260),
}
"""Range of prescribed times for time-critical medicines (07:30–09:00, 12:00–13:00, 16:00–17:30,
20:00–21:00)."""
DURATIONS = {
    "morning": ((30, 45), (45, 40), (60, 15)),
    "lunch": ((15, 12), (30, 68), (45, 20)),
    "tea": ((15, 12), (30, 70), (45, 18)),
    "bed": ((15, 5), (30, 72), (45, 23)),
}
"""Visit length in minutes, with relative weights, per call."""
PATTERNS: tuple[tuple[tuple[str, ...], float], ...] = (
    (("morning",), 7),
    (("lunch",), 3),
    (("bed",), 3),
    (("morning", "bed"), 22),
    (("morning", "lunch"), 3),
    (("morning", "tea"), 2),
    (("morning", "lunch", "bed"), 15),
    (("morning", "tea", "bed"), 10),
    (("morning", "lunch", "tea"), 2),
    (("morning", "lunch", "tea", "bed"), 33),
)
"""Which calls a client has each day, with relative weights (mean 2.8 visits a day)."""
FOUR = ("morning", "lunch", "tea", "bed")
MAJOR_PATTERNS: dict[str, tuple[tuple[str, ...], ...]] = {
    "hoist": (FOUR, ("morning", "tea", "bed"), ("morning", "lunch", "bed"), ("morning", "bed")),
    "end_of_life": (FOUR,),
    "parkinsons": (FOUR, ("morning", "lunch", "bed"), ("morning", "tea", "bed")),
    "insulin": (("morning", "tea"), ("morning", "tea", "bed"), FOUR),
    "peg": (FOUR, ("morning", "lunch", "tea")),
}
MINOR_NEEDS = (
    ("medication", 0.50),
    ("dementia", 0.25),
    ("mobility", 0.30),
    ("pressure", 0.12),
    ("catheter", 0.07),
    ("stoma", 0.04),
)
"""Needs besides the major one, with the chance a client has each."""
NEED_SKILLS: dict[str, tuple[str, ...]] = {
    "hoist": ("hoisting", "moving_handling"),
    "end_of_life": ("end_of_life_care",),
    "parkinsons": ("medication",),
    "insulin": ("insulin",),
    "peg": ("peg_feeding",),
    "medication": ("medication",),
    "dementia": ("dementia_care",),
    "mobility": ("moving_handling",),
    "pressure": ("pressure_care",),
    "catheter": ("catheter_care",),
    "stoma": ("stoma_care",),
}
NEED_SLOTS: dict[str, tuple[str, ...]] = {
    "hoist": SLOTS,
    "end_of_life": SLOTS,
    "parkinsons": SLOTS,
    "insulin": ("morning", "tea"),
    "peg": SLOTS,
    "medication": ("morning", "bed"),
    "dementia": SLOTS,
    "mobility": ("morning", "bed"),
    "pressure": ("morning", "bed"),
    "catheter": ("morning", "bed"),
    "stoma": ("morning",),
}
"""The calls at which a need requires its skills."""
NEED_TASKS = {
    "hoist": "hoist transfers with two carers",
    "end_of_life": "end-of-life comfort care, mouth care, reposition",
    "parkinsons": "Parkinson's medication at the prescribed time",
    "insulin": "insulin injection at the prescribed time (delegated task)",
    "peg": "PEG feed and flush (delegated task)",
    "medication": "administer medication from the blister pack",
    "dementia": "calm, unhurried approach; orientate to day and time",
    "mobility": "walking frame and transfers",
    "pressure": "check pressure areas, apply barrier cream",
    "catheter": "catheter care and bag change",
    "stoma": "stoma bag change",
}
SLOT_TASKS = {
    "morning": "Personal care, help to dress, breakfast and drink",
    "lunch": "Lunch and drink, check wellbeing",
    "tea": "Tea-time meal and drink",
    "bed": "Help to undress, personal care, settle for the night",
}
SHORT_TASK = "Medication prompt, drink and welfare check"
MIN_HOLDERS = {"hoisting": 4, "end_of_life_care": 4}
"""Valid holders a team needs before a skill is asked for (default 3)."""
MAX_FAILURES = 100
"""Clients that found no room before an area is taken to be full."""
PRIOR_VISIT_MINUTES = 44
"""Planned carer minutes per visit (double-handed counted twice) assumed before any are made."""
MIN_ON_DUTY_HOLDERS = 2.0
"""Holders of a required skill expected on duty at a call's time, on an average day,
before a visit needs it (twice that for a double-handed visit): spreads skilled demand
towards the calls where holders are plentiful. The guarantee that each visit can be
covered at all is :class:`RosterCover`'s."""
DOUBLE_MAJORS = ("hoist", "end_of_life")
MAJOR_TRIES = 3
"""Times a client with a double-handed major need is tried at other visit lengths and
windows before being taken on without it: such visits are long and need three of
their holders on shift, so one draw often finds no room though another would."""
COVER_SPARE = 1
"""Qualified carers rostered on shift for a visit beyond the ``carers_required`` it
needs, on each weekday it recurs, so that one of them being away still leaves it
coverable."""


@functools.cache
def bin_parts(start: int, span: int) -> tuple[tuple[int, int], ...]:
    """The half-hour bins [start, start + span) minutes falls in, as (bin index,
    minutes in that bin); cached, as the generator asks the same spans many times."""
    parts = []
    minute = start
    while minute < start + span:
        index = (minute - FIRST_BIN) // BIN_MINUTES
        bin_end = FIRST_BIN + (index + 1) * BIN_MINUTES
        end = min(bin_end, start + span)
        parts.append((index, end - minute))
        minute = end
    return tuple(parts)


@dataclass(slots=True)
class BinLoad:
    """Planned minutes against on-duty minutes, per weekday (0 = Monday) and half-hour bin.

    ``capacity[weekday][bin]`` is the rostered on-duty minutes in that bin on that
    weekday (less expected absences); a visit is counted on every weekday it recurs,
    so no weekday's hour is planned beyond ``BIN_LIMIT`` of the carers rostered in it.
    """

    capacity: list[list[float]]
    load: list[list[float]] = field(default_factory=lambda: [[0.0] * BINS for _ in range(7)])

    def slack(self, start: int, span: int, weight: float, weekdays: Sequence[int]) -> float:
        """Smallest room left, as a fraction of bin capacity, after adding a visit
        covering [start, start + span) minutes ``weight`` times on each of ``weekdays``;
        negative: no room."""
        room = 1.0
        parts = bin_parts(start, span)
        for weekday in weekdays:
            capacity, load = self.capacity[weekday], self.load[weekday]
            for index, minutes in parts:
                available = capacity[index]
                if available <= 0:
                    return -1.0
                left = (BIN_LIMIT * available - load[index] - minutes * weight) / available
                if left < room:
                    room = left
        return room

    def add(self, start: int, span: int, weight: float, weekdays: Sequence[int]) -> None:
        """Count a visit covering [start, start + span), ``weight`` times, on ``weekdays``."""
        for weekday in weekdays:
            for index, minutes in bin_parts(start, span):
                self.load[weekday][index] += minutes * weight

    @property
    def total_capacity(self) -> float:
        """On-duty minutes of an average weekday."""
        return sum(map(sum, self.capacity)) / 7

    @property
    def total_load(self) -> float:
        """Planned minutes of an average weekday."""
        return sum(map(sum, self.load)) / 7


def bin_capacity(team: Sequence[WorkerDraft], on_duty_share: float) -> list[list[float]]:
    """Rostered on-duty minutes per weekday and half-hour bin, times ``on_duty_share``."""
    capacity = [[0.0] * BINS for _ in range(7)]
    for worker in team:
        for start, end in worker.template.periods:
            for index in range(BINS):
                low = FIRST_BIN + index * BIN_MINUTES
                overlap = min(end, low + BIN_MINUTES) - max(start, low)
                if overlap > 0:
                    for weekday in worker.weekdays:
                        capacity[weekday][index] += overlap * on_duty_share
    return capacity


def slot_cover(team: Sequence[WorkerDraft], on_duty_share: float) -> dict[str, dict[str, float]]:
    """Per call and skill, how many holders are on duty on an average day in some part of
    the call's range of start times (rostered days / 7 × ``on_duty_share``)."""
    cover: dict[str, dict[str, float]] = {slot: {} for slot in SLOTS}
    for worker in team:
        share = len(worker.weekdays) / 7 * on_duty_share
        for slot, (low, high) in SLOT_RANGES.items():
            if any(start < high + 30 and low < end for start, end in worker.template.periods):
                for skill in worker.skills:
                    cover[slot][skill] = cover[slot].get(skill, 0.0) + share
    return cover


class RosterCover:
    """Who of a team could take a visit, weekday by weekday (0 = Monday).

    A carer could take a visit of ``duration`` minutes whose start may fall in
    [``earliest``, ``latest``] (local minutes) on a weekday when they are rostered
    that weekday, hold every required skill until after ``last_day`` (the last
    generated day), are of the strictly required gender, and one of their shift
    periods holds [s, s + duration] for some start s in the window — the solver's
    ``on_shift`` rule on the rostered day. Counts are cached, as a team's visits
    ask the same questions many times.
    """

    def __init__(self, team: Sequence[WorkerDraft], last_day: date) -> None:
        self.team = team
        self.last_day = last_day
        self._qualified: dict[tuple[tuple[str, ...], str], list[WorkerDraft]] = {}
        self._counts: dict[tuple[tuple[str, ...], str, int, int, int], tuple[int, ...]] = {}

    def _lasting(self, worker: WorkerDraft, skill: str) -> bool:
        if skill not in worker.skills:
            return False
        until = worker.skills_until.get(skill)
        return until is None or until > self.last_day

    def qualified(self, skills: Sequence[str], gender: str) -> list[WorkerDraft]:
        """Carers holding ``skills`` through the generated days, of ``gender`` unless ''."""
        key = (tuple(skills), gender)
        if key not in self._qualified:
            self._qualified[key] = [
                w
                for w in self.team
                if all(self._lasting(w, skill) for skill in skills)
                and (not gender or w.gender == gender)
            ]
        return self._qualified[key]

    def counts(
        self, skills: Sequence[str], gender: str, duration: int, earliest: int, latest: int
    ) -> tuple[int, ...]:
        """Per weekday, the carers who could take such a visit (see the class)."""
        key = (tuple(skills), gender, duration, earliest, latest)
        found = self._counts.get(key)
        if found is None:
            per_day = [0] * 7
            for worker in self.qualified(skills, gender):
                if any(
                    start <= latest and max(earliest, start) + duration <= end
                    for start, end in worker.template.periods
                ):
                    for weekday in worker.weekdays:
                        per_day[weekday] += 1
            found = self._counts[key] = tuple(per_day)
        return found

    def covers(
        self,
        skills: Sequence[str],
        gender: str,
        carers: int,
        window: tuple[int, int, int],
        weekdays: Sequence[int],
    ) -> bool:
        """True if on each of ``weekdays`` at least ``carers`` + ``COVER_SPARE`` carers
        could take a visit of ``window`` = (duration, earliest, latest) minutes."""
        per_day = self.counts(skills, gender, *window)
        return all(per_day[weekday] >= carers + COVER_SPARE for weekday in weekdays)


def visit_window(start: int, duration: int, half: int) -> tuple[int, int]:
    """The [earliest, latest] start (local minutes) of a visit asked for ``start``,
    ``half`` minutes either side, kept within the day (07:00 to 22:00)."""
    earliest = max(DAY_START, start - half)
    latest = max(earliest, min(start + half, DAY_END - duration))
    return earliest, latest


@dataclass(slots=True)
class Profile:
    """What a client needs: at most one major need, some minor ones, and a gender rule.

    ``uncovered``: drawn without regard to the team's training and rosters.
    """

    major: str | None
    minor: tuple[str, ...]
    gender: GenderPreference = GenderPreference.ANY
    strict: bool = False
    uncovered: bool = False

    @property
    def strict_gender(self) -> str:
        """The gender every carer must be ('' when the preference is not strict)."""
        return self.gender.value if self.strict and self.gender != GenderPreference.ANY else ""

    @property
    def needs(self) -> tuple[str, ...]:
        return ((self.major,) if self.major else ()) + self.minor

    def skills(self, slot: str) -> list[str]:
        """Skills required at ``slot``, sorted."""
        wanted: set[str] = set()
        for need in self.needs:
            if slot in NEED_SLOTS[need]:
                wanted.update(NEED_SKILLS[need])
        return sorted(wanted)

    def double_handed(self, slot: str) -> bool:
        return self.major == "hoist" or (self.major == "end_of_life" and slot in ("morning", "bed"))

    def time_critical(self, slot: str) -> bool:
        return self.major == "parkinsons" or (
            self.major == "insulin" and slot in ("morning", "tea")
        )


@dataclass(slots=True)
class CareRows:
    """Rows for the client, clientcarerpreference and careplan tables."""

    clients: list[Row] = field(default_factory=list)
    preferences: list[Row] = field(default_factory=list)
    plans: list[Row] = field(default_factory=list)
    nhs_numbers: set[str] = field(default_factory=set)


@dataclass(slots=True)
class AreaTally:
    """Running totals of an area's demand, per average weekday."""

    visits: float = 0.0
    load: float = 0.0
    double: float = 0.0
    time_critical: float = 0.0
    skill_minutes: dict[str, float] = field(default_factory=dict)


class CareBuilder:
    """Makes clients and plans area by area, with ids counting from 1."""

    def __init__(
        self,
        rng: random.Random,
        params: ScenarioParameters,
        first_day: date,
        last_day: date | None = None,
    ) -> None:
        self.rng = rng
        self.params = params
        self.first_day = first_day
        self.last_day = last_day or first_day
        self.rows = CareRows()
        self.cover: dict[str, dict[str, float]] = {slot: {} for slot in SLOTS}
        self.roster = RosterCover((), self.last_day)

    def build_area(self, site: AreaSite, team: Sequence[WorkerDraft]) -> None:
        """Clients of one area until its team's target utilisation is reached, then a
        few inactive clients (in hospital, say) who get no visits."""
        bins = BinLoad(bin_capacity(team, 1.0 - self.params.absence_share))
        self.cover = slot_cover(team, 1.0 - self.params.absence_share)
        self.roster = RosterCover(team, self.last_day)
        target = self.params.utilisation * bins.total_capacity
        tally = AreaTally()
        holders = {skill: sum(1 for w in team if skill in w.skills) for skill in _all_skills()}
        males = sum(1 for w in team if w.gender == "male")
        active = failures = 0
        while bins.total_load < target and failures < MAX_FAILURES:
            profile = self._profile(tally, holders, len(team), bins.total_capacity, males)
            weekdays = self._weekdays(profile)
            chosen = self._place(profile, bins, weekdays)
            for _ in range(MAJOR_TRIES - 1 if profile.major in DOUBLE_MAJORS else 0):
                if chosen is not None:
                    break
                chosen = self._place(profile, bins, weekdays)
            if chosen is None and profile.major is not None:
                profile = Profile(
                    None, profile.minor, profile.gender, profile.strict, profile.uncovered
                )
                chosen = self._place(profile, bins, weekdays)
            if chosen is None:
                failures += 1
                continue
            self._client(site, team, profile, chosen, weekdays, bins, tally, active=True)
            active += 1
        for _ in range(round(active * self.params.inactive_client_share)):
            profile = self._profile(tally, holders, len(team), bins.total_capacity, males)
            free = BinLoad([[1e9] * BINS for _ in range(7)])
            weekdays = self._weekdays(profile)
            chosen = self._place(profile, free, weekdays)
            if chosen is not None:
                self._client(site, team, profile, chosen, weekdays, free, AreaTally(), active=False)

    # ----------------------------------------------------------------- needs

    def _profile(
        self, tally: AreaTally, holders: dict[str, int], team_size: int, capacity: float, males: int
    ) -> Profile:
        rng, params = self.rng, self.params
        uncovered = rng.random() < params.uncovered_client_share

        def coverable(need: str) -> bool:
            if uncovered:
                return True
            for skill in NEED_SKILLS[need]:
                if holders[skill] < MIN_HOLDERS.get(skill, 3):
                    return False
                share = holders[skill] / team_size
                if (
                    tally.skill_minutes.get(skill, 0.0)
                    > 0.8 * share * params.utilisation * capacity
                ):
                    return False
            return True

        # Major needs are drawn early, while every bin still has room, until the
        # area's expected final visit count carries the target shares.
        prior = 20 * (PRIOR_VISIT_MINUTES + params.travel_minutes_per_visit)
        per_visit = (tally.load + prior) / (tally.visits + 20)
        expected = params.utilisation * capacity / per_visit
        double_behind = tally.double < params.double_handed_share * expected
        boost = max(1.0, params.double_handed_share / 0.15) ** 2
        critical_behind = tally.time_critical < params.time_critical_share * expected
        majors = {
            "hoist": 0.50 * boost if double_behind else 0.01,
            "end_of_life": 0.08 * boost if double_behind else 0.002,
            "parkinsons": 0.22 if critical_behind else 0.005,
            "insulin": 0.10 if critical_behind else 0.003,
            "peg": 0.025,
        }
        if params.double_handed_share == 0:
            majors["hoist"] = majors["end_of_life"] = 0.0
        if params.time_critical_share == 0:
            majors["parkinsons"] = majors["insulin"] = 0.0
        options = [None, *(name for name in majors if coverable(name))]
        weights = [1.0, *(majors[name] for name in options[1:] if name is not None)]
        major = rng.choices(options, weights=weights)[0]
        minor = tuple(
            need for need, chance in MINOR_NEEDS if rng.random() < chance and coverable(need)
        )
        if major == "end_of_life" and "pressure" not in minor and coverable("pressure"):
            minor = (*minor, "pressure")
        if major in ("parkinsons", "insulin") and "medication" not in minor:
            minor = (*minor, "medication")
        roll = rng.random()
        if roll < 0.20:
            return Profile(major, minor, GenderPreference.FEMALE, rng.random() < 0.4, uncovered)
        if roll < 0.23:
            strict = males >= 3 and major not in ("hoist", "end_of_life") and rng.random() < 0.3
            return Profile(major, minor, GenderPreference.MALE, strict, uncovered)
        return Profile(major, minor, uncovered=uncovered)

    # ----------------------------------------------------------------- timing

    def _place(
        self, profile: Profile, bins: BinLoad, weekdays: Sequence[int]
    ) -> list[tuple[str, int, int, int]] | None:
        """Choose the calls and their (slot, preferred start, duration, minutes either
        side the start may move); None if full."""
        rng, travel = self.rng, self.params.travel_minutes_per_visit
        durations = {slot: self._duration(profile, slot) for slot in SLOTS}
        halves = {slot: self._half_window(profile, slot) for slot in SLOTS}
        fits: dict[str, list[tuple[int, float]]] = {}
        for slot in SLOTS:
            low, high = (PRESCRIBED_RANGES if profile.time_critical(slot) else SLOT_RANGES)[slot]
            weight = 2.0 if profile.double_handed(slot) else 1.0
            wanted = MIN_ON_DUTY_HOLDERS * weight
            skills = profile.skills(slot)
            if not profile.uncovered and any(
                self.cover[slot].get(skill, 0.0) < wanted for skill in skills
            ):
                fits[slot] = []
                continue
            duration, half = durations[slot], halves[slot]
            fits[slot] = [
                (start, room)
                for start in range(low, high + 1, STEP_MINUTES)
                if start + duration <= DAY_END
                and (room := bins.slack(start, duration + travel, weight, weekdays)) > 0
                and (
                    profile.uncovered
                    or self.roster.covers(
                        skills,
                        profile.strict_gender,
                        int(weight),
                        (duration, *visit_window(start, duration, half)),
                        weekdays,
                    )
                )
            ]
        allowed = MAJOR_PATTERNS.get(profile.major or "", tuple(p for p, _ in PATTERNS))
        base = dict(PATTERNS)
        best = {slot: max((room for _, room in fits[slot]), default=0.0) for slot in SLOTS}
        candidates = [
            (pattern, base.get(pattern, 1.0) * math.prod(min(1.0, 4 * best[s]) for s in pattern))
            for pattern in allowed
            if all(fits[s] for s in pattern)
        ]
        if not candidates:
            return None
        pattern = rng.choices([p for p, _ in candidates], weights=[w for _, w in candidates])[0]
        chosen = []
        for slot in pattern:
            starts, rooms = zip(*fits[slot], strict=True)
            start = rng.choices(starts, weights=rooms)[0]
            chosen.append((slot, start, durations[slot], halves[slot]))
        return chosen

    def _half_window(self, profile: Profile, slot: str) -> int:
        """Minutes either side of the asked start a visit may begin: the time-critical
        tolerance for a time-critical one, else 30, 45 or 60."""
        if profile.time_critical(slot):
            return self.params.time_critical_tolerance_minutes
        return self.rng.choices((30, 45, 60), weights=(35, 35, 30))[0]

    def _duration(self, profile: Profile, slot: str) -> int:
        if profile.double_handed(slot) or profile.major == "end_of_life":
            options: tuple[tuple[int, int], ...] = (
                ((45, 60), (60, 40)) if slot in ("morning", "bed") else ((30, 60), (45, 40))
            )
        elif profile.major == "peg":
            options = ((45, 60), (60, 40)) if slot == "morning" else ((30, 70), (45, 30))
        else:
            options = DURATIONS[slot]
        return self.rng.choices([d for d, _ in options], weights=[w for _, w in options])[0]

    # ----------------------------------------------------------------- rows

    def _client(
        self,
        site: AreaSite,
        team: Sequence[WorkerDraft],
        profile: Profile,
        calls: list[tuple[str, int, int, int]],
        weekdays: list[int],
        bins: BinLoad,
        tally: AreaTally,
        *,
        active: bool,
    ) -> None:
        rng, params, rows = self.rng, self.params, self.rows
        client_id = len(rows.clients) + 1
        nhs_number = random_nhs_number(rng)
        while nhs_number in rows.nhs_numbers:
            nhs_number = random_nhs_number(rng)
        rows.nhs_numbers.add(nhs_number)
        latitude, longitude = scatter(
            rng, site.latitude, site.longitude, 2.5 if site.dense else 5.0
        )
        notes = access_note(rng) if rng.random() < 0.4 else ""
        rows.clients.append(
            {
                "id": client_id,
                "nhs_number": nhs_number,
                "name": older_person_name(rng),
                "area_id": site.id,
                "address": street_address(rng, site.town),
                "postcode": postcode(rng, site.postcode_area),
                "latitude": latitude,
                "longitude": longitude,
                "carer_gender": profile.gender,
                "carer_gender_strict": profile.strict,
                "access_notes": notes,
                "active": active,
            }
        )
        since = self._start(rng)
        revised = (
            since + timedelta(days=1) < self.first_day - timedelta(days=60) and rng.random() < 0.04
        )
        day_share = len(weekdays) / 7
        for index, (slot, start, duration, half) in enumerate(calls):
            carers = 2 if profile.double_handed(slot) else 1
            critical = profile.time_critical(slot)
            skills = profile.skills(slot)
            plan = self._plan(client_id, weekdays, slot, (start, duration, half), profile, since)
            if revised and index == len(calls) - 1:
                changed_on = self.first_day - timedelta(days=rng.randint(1, 60))
                old_start = max(DAY_START, min(start - 30, DAY_END - duration))
                old = self._plan(
                    client_id, weekdays, slot, (old_start, duration, half), profile, since
                )
                old["valid_until"] = changed_on - timedelta(days=1)
                plan["id"] += 1
                plan["ref"] = f"CP{plan['id']:07d}"
                plan["valid_from"] = changed_on
                rows.plans.append(old)
            rows.plans.append(plan)
            bins.add(start, duration + params.travel_minutes_per_visit, carers, weekdays)
            tally.visits += day_share
            tally.load += (duration + params.travel_minutes_per_visit) * carers * day_share
            tally.double += day_share if carers == 2 else 0.0
            tally.time_critical += day_share if critical else 0.0
            for skill in skills:
                minutes = (duration + params.travel_minutes_per_visit) * carers * day_share
                tally.skill_minutes[skill] = tally.skill_minutes.get(skill, 0.0) + minutes
        self._preferences(client_id, team, profile)

    def _plan(
        self,
        client_id: int,
        weekdays: list[int],
        slot: str,
        timing: tuple[int, int, int],
        profile: Profile,
        since: date,
    ) -> Row:
        """A care plan row; ``timing`` is (asked start, duration, minutes either side)."""
        rng = self.rng
        start, duration, half = timing
        critical = profile.time_critical(slot)
        carers = 2 if profile.double_handed(slot) else 1
        earliest, latest = visit_window(start, duration, half)
        if critical:
            priority = 1
        elif carers == 2:
            priority = 2
        elif duration <= 15:
            priority = 4
        else:
            priority = 3
        tasks = SHORT_TASK if duration <= 15 else SLOT_TASKS[slot]
        extras = [NEED_TASKS[need] for need in profile.needs if slot in NEED_SLOTS[need]]
        plan_id = len(self.rows.plans) + 1
        return {
            "id": plan_id,
            "ref": f"CP{plan_id:07d}",
            "client_id": client_id,
            "weekdays": weekdays,
            "window_start": _time(earliest),
            "window_end": _time(latest),
            "preferred_start": _time(start) if critical or rng.random() < 0.5 else None,
            "duration_minutes": duration,
            "required_skills": profile.skills(slot),
            "carers_required": carers,
            "time_critical": critical,
            "priority": priority,
            "tasks": "; ".join([tasks, *extras])[:1000],
            "valid_from": since,
            "valid_until": None,
        }

    def _weekdays(self, profile: Profile) -> list[int]:
        roll = self.rng.random()
        if profile.major is not None or roll < 0.88:
            return list(range(7))
        if roll < 0.95:
            return [0, 1, 2, 3, 4]
        return list(self.rng.choice(((0, 2, 4), (1, 3, 5), (0, 3, 6), (2, 4, 6))))

    def _start(self, rng: random.Random) -> date:
        """When the client's package began: 3 % start on the first day (hospital discharge)."""
        if rng.random() < 0.03:
            return self.first_day
        return self.first_day - timedelta(days=1 + int(rng.random() ** 1.5 * 3 * 365))

    def _preferences(self, client_id: int, team: Sequence[WorkerDraft], profile: Profile) -> None:
        rng, params = self.rng, self.params
        chosen: set[int] = set()
        if rng.random() < params.preferred_carer_share:
            needed = set().union(*(profile.skills(s) for s in SLOTS))
            suitable = [
                w
                for w in team
                if needed <= w.skills and (not profile.strict or w.gender == profile.gender.value)
            ]
            for worker in rng.sample(suitable, min(len(suitable), rng.choice((1, 1, 2)))):
                chosen.add(worker.id)
                self.rows.preferences.append(
                    {
                        "client_id": client_id,
                        "worker_id": worker.id,
                        "kind": CarerPreferenceKind.PREFERRED,
                    }
                )
        if rng.random() < params.declined_carer_share:
            others = [w for w in team if w.id not in chosen]
            if others:
                worker = rng.choice(others)
                self.rows.preferences.append(
                    {
                        "client_id": client_id,
                        "worker_id": worker.id,
                        "kind": CarerPreferenceKind.DECLINED,
                    }
                )


def _time(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def _all_skills() -> tuple[str, ...]:
    return tuple(sorted({skill for skills in NEED_SKILLS.values() for skill in skills}))
