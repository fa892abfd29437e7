"""The handler of `learning-app bench load` (its options are wired in `bench`; the bench itself
is `learning_app.bench.load`): it turns the options into `LoadOptions`, prepares the stores, runs
the bench against production-mode app servers, prints the figures per action and the baseline,
load, capacity, spike, failover and CPU lines, then the JSON line. It exits 1 when an action or a
spike start failed or a confirmed answer is missing; with a server killed, its own students'
errors do not count."""

from __future__ import annotations

import argparse

from learning_app.cli.bench_handlers import print_bench_line
from learning_app.cli.support import CliError, prepare_stores, reflex_environment
from learning_app.settings import get_settings
from learning_app.stack.processes import sigterm_unwinds

# More than a page's events would no longer be a floor of anything the students do.
MAX_FLOOR_EVENTS = 20


def cmd_bench_load(args: argparse.Namespace) -> int:
    from learning_app.bench.load import CAPACITY_RATIO, LoadOptions, run_load_bench

    if args.kill_server_after is not None and args.servers < 2:
        raise CliError("--kill-server-after needs --servers 2 or more")
    options = LoadOptions(
        users=args.users,
        spawn_rate=args.spawn_rate,
        duration_s=args.duration,
        spike_students=args.spike_students,
        spike_window_s=args.spike_window,
        workers=args.workers,
        think_min_s=args.think_min,
        think_max_s=args.think_max,
        baseline_s=args.baseline,
        servers=args.servers,
        kill_server_after_s=args.kill_server_after,
        find_capacity=args.find_capacity,
        capacity_max=args.capacity_max,
        capacity_hold_s=args.capacity_hold,
        arrivals=args.arrivals,
        chat_tokens_per_s=args.chat_stand_in,
        floor_events=args.floor,
    )
    if options.chat_tokens_per_s < 0:
        raise CliError("--chat-stand-in must be a rate of tokens a second, or 0 for none")
    if not 0 <= options.floor_events <= MAX_FLOOR_EVENTS:
        raise CliError(f"--floor must be 1 to {MAX_FLOOR_EVENTS} events an action, or 0 for none")
    prepare_stores()
    servers = (
        f"{options.servers} app servers behind HAProxy" if options.servers > 1 else "1 app server"
    )
    load = (
        f"students in steps up to {options.capacity_max}"
        if options.find_capacity
        else f"{options.users} students for {options.duration_s} s"
    )
    if options.floor_events:
        load += f" whose every action is {options.floor_events} events that touch no store"
    print(
        f"one student for {options.baseline_s} s (the baseline), then {load}, then "
        f"{options.spike_students} starting one exam within {options.spike_window_s:g} s; "
        f"{servers}, {options.workers} workers each, on loopback"
        + (
            f"; the tutor streams at {options.chat_tokens_per_s:g} tokens a second"
            if options.chat_tokens_per_s
            else ""
        ),
        flush=True,
    )
    backend_env = reflex_environment(get_settings(), prod=True, workers=options.workers)
    with sigterm_unwinds():  # a bench stopped by `timeout` still stops its servers
        result = run_load_bench(options, backend_env)
    if not options.find_capacity and options.users and not result["actions"]:
        # Students that failed before their first action (Locust logs why) record nothing.
        raise CliError(f"the load recorded no actions; see load.locust.log in {result['workdir']}")
    print(f"{'action':<14}{'count':>7}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}")
    for line in result["by_action"]:  # type: ignore[attr-defined]
        print(f"{line.kind:<14}{line.count:>7}{line.errors:>8}{line.p50_ms:>9}{line.p95_ms:>9}")
        if line.first_error:
            print(f"  first error: {line.first_error}")
    print(
        f"baseline (one student): ordinary actions p50 {result['baseline_p50_ms']} ms, "
        f"p95 {result['baseline_p95_ms']} ms = {result['baseline_p95_ratio']}x its p50 (the "
        f"mix's own spread, the lowest p95_ratio can be; {result['baseline_actions']} actions, "
        f"{result['baseline_deltas_per_action']} state deltas each)"
    )
    if not options.find_capacity:
        print(
            f"under load: ordinary p50 {result['p50_ms']} ms  p95 {result['p95_ms']} ms "
            f"= {result['p95_ratio']}x the baseline (goal <= 4), {result['p95_inflation']}x "
            f"its p95; once everyone has signed in p95 {result['settled_p95_ms']} ms; "
            f"{result['actions']} actions"
        )
    if "capacity_students" in result:
        print(
            f"capacity: {result['capacity_students']} students hold p95 <= "
            f"{CAPACITY_RATIO:g}x the baseline with 0 errors (at "
            f"{result['capacity_p95_ratio']}x)"
        )
    print(
        f"exam-start spike p50 {result['spike_p50_ms']} ms  p95 {result['spike_p95_ms']} ms "
        f"= {result['spike_ratio']}x the baseline (goal <= 6)"
    )
    if "killed_server" in result:
        print(
            f"killed {result['killed_server']} after {options.kill_server_after_s:g} s: "
            f"{result['reconnects']} reconnects, p50 {result['reconnect_p50_ms']} ms, "
            f"max {result['reconnect_max_ms']} ms; errors of its students "
            f"{result['errors_on_killed_server']}, of the others' "
            f"{result['errors_on_surviving_servers']}"
        )
    if "backend_cpu_ms_per_action" in result:
        postgres = result.get("postgres_cpu_ms_per_action", "(not local)")
        print(
            f"CPU per action under load: backend {result['backend_cpu_ms_per_action']} ms, "
            f"Postgres {postgres} ms, Locust {result.get('locust_cpu_ms_per_action')} ms"
        )
    if "machine_busy_cores" in result:
        print(
            f"the whole machine under load: {result['machine_busy_cores']} of "
            f"{result['machine_cores']} cores busy"
        )
    if "spike_backend_cpu_ms_per_student" in result:
        print(
            "CPU per spike student (connect, hydrate on the exam page, Start): backend "
            f"{result['spike_backend_cpu_ms_per_student']} ms"
        )
    if "chat_answers_streamed" in result:
        print(
            f"tutor answers streamed by the chat stand-in: {result['chat_answers_streamed']}, "
            f"at {result['chat_tokens_per_s']:g} tokens a second"
        )
    print(f"answers confirmed as saved but missing from the database: {result['lost_answers']}")
    print(f"logs and samples: {result['workdir']}")
    keys = ["users", "servers", "errors", "baseline_p50_ms", "baseline_p95_ms", "p50_ms"]
    keys += ["p95_ms", "p95_ratio", "p95_inflation"]
    if options.find_capacity:  # no fixed class: the steps' figures instead
        keys = ["servers", "baseline_p50_ms", "baseline_p95_ms", "capacity_students"]
        keys.append("capacity_p95_ratio")
    keys += ["spike_students", "spike_errors", "spike_p95_ms", "spike_ratio", "lost_answers"]
    if "chat_tokens_per_s" in result:
        keys += ["chat_tokens_per_s", "chat_answers_streamed"]
    if options.floor_events:
        result["floor_events"] = options.floor_events
        keys.append("floor_events")
    if "killed_server" in result:
        keys += ["reconnects", "reconnect_max_ms", "errors_on_killed_server"]
        keys.append("errors_on_surviving_servers")
    print_bench_line("load", result, tuple(keys))
    failed = result.get("errors") or result["spike_errors"] or result["lost_answers"]
    if "killed_server" in result:
        # Losing a server may fail its own students' in-flight actions (reported), never
        # the others', nor an answer.
        failed = result["spike_errors"] or result["lost_answers"]
        failed = failed or result["errors_on_surviving_servers"]
    return 1 if failed else 0
