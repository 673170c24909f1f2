"""What a generated scenario contains, as numbers and as a small table."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class GenerationSummary:
    """Counts of a generated scenario; day figures are for its first day.

    ``double_handed_share`` and ``time_critical_share`` are fractions of the first
    day's visits. ``expired_trainings`` counts records no longer valid on the first
    day; ``expiring_within_30_days`` those valid on it that lapse within 30 days.
    """

    regions: int
    areas: int
    workers: int
    workers_on_duty: int
    clients: int
    care_plans: int
    visits: int
    double_handed_share: float
    time_critical_share: float
    expired_trainings: int
    expiring_within_30_days: int

    @property
    def visits_per_worker_on_duty(self) -> float:
        """The first day's visits divided by the workers on duty that day."""
        return self.visits / self.workers_on_duty if self.workers_on_duty else 0.0

    def as_table(self) -> str:
        """The figures as two aligned columns, one per line."""
        lines = []
        for item in fields(self):
            value = getattr(self, item.name)
            text = f"{value:.1%}" if isinstance(value, float) else f"{value:,}"
            lines.append((item.name.replace("_", " "), text))
        lines.append(("visits per worker on duty", f"{self.visits_per_worker_on_duty:.1f}"))
        width = max(len(label) for label, _ in lines)
        value_width = max(len(text) for _, text in lines)
        return "\n".join(f"{label:<{width}}  {text:>{value_width}}" for label, text in lines)
