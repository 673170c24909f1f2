"""Read Mankowska, Meisel & Bierwirth (2014) home health care instances; score plans on them.

The format is a sequence of sections, each a keyword line followed by numbers:
``nbNodes`` N (node 0 the start depot, N−1 the end depot, 1..N−2 patients),
``nbVehi`` K caregivers, ``nbServi`` S service types, ``r`` (N×S: services each
node needs), ``DS`` (1-based ids of double-service patients), ``a`` (K×S: services
each caregiver may give), ``x``/``y`` (informative), ``d`` (N×N travel distance,
also the travel time), ``p`` (N·K rows × S: duration of service s at node i by
caregiver k, row i·K+k), ``mind``/``maxd`` (per node, the least and greatest gap
between the starts of a double-service patient's two services, the lower-numbered
service first; ``0 0`` means together), ``e`` (earliest start, hard) and ``l`` (due
time, soft). The objective is (distance + total tardiness + maximum tardiness) / 3,
tardiness being how far a service starts after the patient's due time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Operation:
    """One service given to one patient: ``patient`` is a node, ``service`` 0-based."""

    patient: int
    service: int


@dataclass(frozen=True, slots=True)
class HhcInstance:
    """A home health care routing and scheduling instance (times and distances as in the file)."""

    name: str
    nodes: int
    caregivers: int
    services: int
    requires: tuple[tuple[bool, ...], ...]
    double_service: frozenset[int]
    qualified: tuple[tuple[bool, ...], ...]
    distance: tuple[tuple[float, ...], ...]
    duration: tuple[tuple[tuple[float, ...], ...], ...]
    min_gap: tuple[float, ...]
    max_gap: tuple[float, ...]
    earliest: tuple[float, ...]
    due: tuple[float, ...]

    @property
    def patients(self) -> range:
        """The patient nodes, 1 .. N−2."""
        return range(1, self.nodes - 1)

    @property
    def end_depot(self) -> int:
        """The node every caregiver ends at."""
        return self.nodes - 1

    def services_of(self, patient: int) -> tuple[int, ...]:
        """The services a patient needs, in increasing order (the order of their gap)."""
        return tuple(s for s in range(self.services) if self.requires[patient][s])

    def operations(self) -> tuple[Operation, ...]:
        """Every service operation to schedule, patient by patient."""
        return tuple(
            Operation(patient, service)
            for patient in self.patients
            for service in self.services_of(patient)
        )

    def can_give(self, caregiver: int, operation: Operation) -> bool:
        """Whether the caregiver is qualified for the operation's service."""
        return self.qualified[caregiver][operation.service]


def _sections(text: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    key: str | None = None
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        if len(parts) == 1 and not _is_number(parts[0]):
            key = parts[0]
            sections[key] = []
        elif key is not None:
            sections[key].extend(parts)
    return sections


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_mankowska(path: str | Path) -> HhcInstance:
    """Read an instance file; raises ``ValueError`` when a section is missing or short."""
    path = Path(path)
    sections = _sections(path.read_text())
    required = ("nbNodes", "nbVehi", "nbServi", "r", "a", "d", "p", "mind", "maxd", "e", "l")
    missing = [key for key in required if key not in sections]
    if missing:
        raise ValueError(f"{path}: not a Mankowska instance, missing {', '.join(missing)}")
    n = int(sections["nbNodes"][0])
    k = int(sections["nbVehi"][0])
    s = int(sections["nbServi"][0])

    def numbers(key: str, count: int) -> list[float]:
        values = [float(token) for token in sections[key]]
        if len(values) < count:
            raise ValueError(f"{path}: section {key} has {len(values)} numbers, needs {count}")
        return values[:count]

    r = numbers("r", n * s)
    a = numbers("a", k * s)
    d = numbers("d", n * n)
    p = numbers("p", n * k * s)
    return HhcInstance(
        name=path.stem,
        nodes=n,
        caregivers=k,
        services=s,
        requires=tuple(tuple(r[i * s + j] > 0 for j in range(s)) for i in range(n)),
        double_service=frozenset(int(token) - 1 for token in sections.get("DS", [])),
        qualified=tuple(tuple(a[c * s + j] > 0 for j in range(s)) for c in range(k)),
        distance=tuple(tuple(d[i * n : (i + 1) * n]) for i in range(n)),
        duration=tuple(
            tuple(tuple(p[(i * k + c) * s : (i * k + c + 1) * s]) for c in range(k))
            for i in range(n)
        ),
        min_gap=tuple(numbers("mind", n)),
        max_gap=tuple(numbers("maxd", n)),
        earliest=tuple(numbers("e", n)),
        due=tuple(numbers("l", n)),
    )
