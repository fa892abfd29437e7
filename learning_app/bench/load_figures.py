"""The figures of `learning-app bench load` from its samples: per action, the ordinary
actions' percentiles and their ratios to the one-student baseline, the spike's, the capacity
search's, and what losing a server cost."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from learning_app.bench.stats import percentile

# Not in the ordinary figures: argon2id is slow on purpose, and the tutor embeds and searches.
HEAVY_ACTIONS = ("sign_in", "ask_tutor")
# Neither are reconnects (behind a load balancer), which are timed on their own.
NOT_ORDINARY = (*HEAVY_ACTIONS, "reconnect")


class LoadShape(Protocol):
    """What the figures need to know of the run (`load.LoadOptions`)."""

    @property
    def users(self) -> int: ...
    @property
    def spawn_rate(self) -> float: ...
    @property
    def servers(self) -> int: ...
    @property
    def spike_students(self) -> int: ...


@dataclass(frozen=True)
class ActionFigures:
    kind: str
    count: int
    errors: int
    p50_ms: float
    p95_ms: float
    first_error: str


# action, milliseconds, error or "", start (epoch s), app server ("" without a load balancer)
Sample = tuple[str, float, str, float, str]


@dataclass
class LocustRun:
    samples: list[Sample]
    saved_answers: list[tuple[str, str]]  # (attempt id, question id) the app confirmed
    cpu_s: float = 0.0  # the Locust process's own CPU time (user + system)
    deltas: list[tuple[str, int]] = field(default_factory=list)  # (action, deltas it received)


def summarise(samples: list[Sample]) -> list[ActionFigures]:
    kinds = sorted({sample[0] for sample in samples})
    figures = []
    for kind in kinds:
        ok = [ms for k, ms, error, *_ in samples if k == kind and not error]
        errors = [error for k, _, error, *_ in samples if k == kind and error]
        figures.append(
            ActionFigures(
                kind,
                len(ok) + len(errors),
                len(errors),
                round(percentile(ok, 0.50), 1),
                round(percentile(ok, 0.95), 1),
                errors[0] if errors else "",
            )
        )
    return figures


def ordinary_ms(samples: list[Sample]) -> list[float]:
    """The times of the ordinary actions that succeeded (not signing in, not the tutor, not a
    reconnect)."""
    return [ms for kind, ms, error, *_ in samples if kind not in NOT_ORDINARY and not error]


def deltas_per_action(run: LocustRun) -> float:
    """The state deltas an ordinary action received on average: about the events it took
    (an event sends one delta, or one per `yield`)."""
    counts = [count for kind, count in run.deltas if kind not in NOT_ORDINARY]
    return round(sum(counts) / len(counts), 2) if counts else 0.0


def ratio(value: float, base: float) -> float:
    return round(value / base, 2) if base else 0.0


def figures(
    options: LoadShape,
    baseline: LocustRun,
    load: LocustRun,
    spike: LocustRun,
    steps: list[dict[str, object]],
    killed: dict[str, object],
    lost: int,
) -> dict[str, object]:
    alone = ordinary_ms(baseline.samples)
    baseline_p50, baseline_p95 = percentile(alone, 0.50), percentile(alone, 0.95)
    ordinary = ordinary_ms(load.samples)
    # Once everyone has arrived and signed in: the load a class keeps up after its start.
    first = min((began for *_, began, _ in load.samples), default=0.0)
    settled = first + options.users / options.spawn_rate + 10
    settled_ms = ordinary_ms([sample for sample in load.samples if sample[3] >= settled])
    starts = [ms for kind, ms, error, *_ in spike.samples if kind == "spike_start" and not error]
    p95, spike_p95 = percentile(ordinary, 0.95), percentile(starts, 0.95)
    result: dict[str, object] = {
        "users": options.users,
        "servers": options.servers,
        "actions": len(load.samples),
        "errors": sum(1 for _, _, error, *_ in load.samples if error),
        "baseline_p50_ms": round(baseline_p50, 1),
        # The mix's own spread with nothing else running: `p95_ratio` can be no lower.
        "baseline_p95_ms": round(baseline_p95, 1),
        "baseline_p95_ratio": ratio(baseline_p95, baseline_p50),
        "baseline_actions": len(alone),
        # The real mix's, whatever the load ran (`--floor` holds its events to this).
        "baseline_deltas_per_action": deltas_per_action(baseline),
        "baseline_errors": sum(1 for _, _, error, *_ in baseline.samples if error),
        "p50_ms": round(percentile(ordinary, 0.50), 1),
        "p95_ms": round(p95, 1),
        "p95_ratio": ratio(p95, baseline_p50),
        # What the load itself added to the tail: p95 under load against p95 alone.
        "p95_inflation": ratio(p95, baseline_p95),
        "settled_p95_ms": round(percentile(settled_ms, 0.95), 1),
        "spike_students": options.spike_students,
        # Every spike student who did not get an attempt counts, whichever step failed.
        "spike_errors": options.spike_students - len(starts),
        "spike_p50_ms": round(percentile(starts, 0.50), 1),
        "spike_p95_ms": round(spike_p95, 1),
        "spike_ratio": ratio(spike_p95, baseline_p50),
        "lost_answers": lost,
        "by_action": summarise(baseline.samples + load.samples + spike.samples),
    }
    if steps:
        holding = [step for step in steps if step["holds"]]
        best = max(holding, key=lambda step: int(step["students"]), default=None)  # type: ignore[call-overload]
        result["capacity_students"] = int(best["students"]) if best else 0  # type: ignore[call-overload]
        result["capacity_p95_ratio"] = best["p95_ratio"] if best else 0.0
        result["capacity_steps"] = steps
    if killed:
        result |= failover_figures(load.samples, killed)
    return result


def failover_figures(samples: list[Sample], killed: dict[str, object]) -> dict[str, object]:
    """What losing a server cost: reconnect times, and the errors of each side's students."""
    victim = str(killed["server"])
    reconnects = [ms for kind, ms, error, _, _ in samples if kind == "reconnect" and not error]
    # An action counts against the server it began on, whatever happened to it after.
    after = [(error, server) for _, _, error, _, server in samples]
    return {
        "killed_server": victim,
        "reconnects": sum(1 for kind, *_ in samples if kind == "reconnect"),
        "reconnect_p50_ms": round(percentile(reconnects, 0.50), 1),
        "reconnect_max_ms": round(max(reconnects, default=0.0), 1),
        "errors_on_killed_server": sum(1 for error, server in after if error and server == victim),
        "errors_on_surviving_servers": sum(
            1 for error, server in after if error and server != victim
        ),
    }
