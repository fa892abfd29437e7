"""`learning-app bench ...`: the benchmarks. Each prints its figures and ends with one JSON line."""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from learning_app.bench import RETRIEVAL_VECTORS
from learning_app.cli.support import CliError, prepare_stores, reflex_environment
from learning_app.settings import get_settings


def print_bench_line(name: str, result: Mapping[str, object], keys: Sequence[str]) -> None:
    """The one JSON line every benchmark ends with: its name and the figures its issue names."""
    print(json.dumps({"bench": name, **{key: result[key] for key in keys}}))


def cmd_bench_auth(args: argparse.Namespace) -> int:
    from learning_app.bench.auth import run_auth_bench

    result = run_auth_bench(samples=args.samples)
    for label, name in (("session lookup", "session"), ("raw redis GET", "redis_get")):
        p50, p95 = result[f"{name}_p50_ms"], result[f"{name}_p95_ms"]
        print(f"{label:<15} p50 {p50:.3f} ms  p95 {p95:.3f} ms")
    print(f"argon2id hash   median {result['argon2_hash_ms']:.1f} ms")
    keys = ("session_p95_ms", "redis_get_p95_ms", "added_p95_ms", "argon2_hash_ms")
    print_bench_line("auth", result, keys)
    return 0


def cmd_bench_exams(args: argparse.Namespace) -> int:
    from learning_app.bench.exams import run_exam_spike

    result = run_exam_spike(students=args.students, window_s=args.window, processes=args.processes)
    print(
        f"{result['students']} students, {result['calls']} calls in {result['elapsed_s']} s "
        f"({result['processes']} processes)"
    )
    print(f"all calls  p50 {result['p50_ms']} ms  p95 {result['p95_ms']} ms")
    print(f"start      p95 {result['start_p95_ms']} ms;  save p95 {result['save_p95_ms']} ms")
    print(f"errors     {result['errors']}  {result['first_error']}")
    keys = ("students", "errors", "p50_ms", "p95_ms")
    print_bench_line("exams", result, keys)
    return 0 if result["errors"] == 0 else 1


def cmd_bench_share(args: argparse.Namespace) -> int:
    from learning_app.bench.share import run_share_bench

    result = run_share_bench(tokens=args.tokens, lookups=args.lookups)
    print(f"{result['lookups']} lookups among {result['tokens']} links")
    print(f"share lookup   p50 {result['p50_ms']} ms  p95 {result['p95_ms']} ms")
    print(f"row by id      p50 {result['raw_p50_ms']} ms  p95 {result['raw_p95_ms']} ms")
    keys = ("tokens", "p95_ms")
    print_bench_line("share", result, keys)
    return 0


def cmd_bench_search(args: argparse.Namespace) -> int:
    from learning_app.bench.search import run_search_bench

    result = run_search_bench(items=args.items, passages=args.passages, queries=args.queries)
    print(
        f"{result['items']} lessons and {result['passages']} passages: Postgres load "
        f"{result['postgres_load_s']} s, Typesense import {result['typesense_import_s']} s, "
        f"HNSW build {result['hnsw_build_s']} s (alongside)"
    )
    print(f"{result['queries']} queries ({result['distinct_queries']} distinct), as a visitor")
    for label, name in (
        ("app search service", "app"),
        ("raw typesense", "raw"),
        ("  app, words only", "words_only"),
        ("  vector leg alone", "vector_leg"),
        ("  query embedding", "query_embedding"),
    ):
        p50, p95 = result[f"{name}_p50_ms"], result[f"{name}_p95_ms"]
        print(f"{label:<19} p50 {p50:.2f} ms  p95 {p95:.2f} ms")
    print(f"(query embedding: {result['embedder']}, once per distinct query, uncached)")
    print(f"p50 ratio {result['ratio_p50']:.2f}, p95 ratio {result['ratio_p95']:.2f} (goal <= 1.5)")
    keys = ("items", "passages", "app_p95_ms", "raw_p95_ms", "ratio_p95")
    print_bench_line("search", result, (*keys, "vector_leg_p95_ms", "query_embedding_p95_ms"))
    return 0


def cmd_bench_dashboard(args: argparse.Namespace) -> int:
    from learning_app.bench.dashboard import run_dashboard_bench

    result = run_dashboard_bench(
        students=args.students,
        events=args.events,
        samples=args.samples,
        naive_samples=args.naive_samples,
    )
    print(
        f"{result['students']} students, {result['events']} events: generated in "
        f"{result['generate_s']} s, rolled up in {result['rollup_s']} s, views refreshed in "
        f"{result['refresh_s']} s"
    )
    print(f"roll-ups and views  p50 {result['p50_ms']} ms  p95 {result['p95_ms']} ms")
    print(f"naive aggregates    p50 {result['naive_p50_ms']} ms  p95 {result['naive_p95_ms']} ms")
    print(f"speedup (p95)       {result['speedup']}x")
    keys = ("students", "events", "p95_ms", "naive_p95_ms", "speedup")
    print_bench_line("dashboard", result, keys)
    return 0


def cmd_bench_review(args: argparse.Namespace) -> int:
    from learning_app.bench.review import run_review_bench

    try:
        result = run_review_bench(
            students=args.students,
            cards_per_student=args.cards_per_student,
            signed_in=args.signed_in,
            samples=args.samples,
            keep=args.keep,
        )
    except ValueError as exc:
        raise CliError(str(exc)) from None
    world = f"loaded in {result['load_s']} s, vacuumed and analysed in {result['vacuum_s']} s"
    if result["reused"]:
        world = "found, kept by an earlier run"
    print(f"{result['card_states']} card states of {result['students']} students: {world}")
    print(
        f"{result['samples']} queues of {result['signed_in']} signed-in students: "
        f"{result['due_mean']} due and {result['queue_mean']} entries on average"
    )
    for label, name in (
        ("due queue", "queue"),
        ("  query alone", "raw"),
        ("rate a card", "review"),
    ):
        p50, p95 = result[f"{name}_p50_ms"], result[f"{name}_p95_ms"]
        print(f"{label:<14} p50 {p50} ms  p95 {p95} ms")
    print(
        f"  first reviews p50 {result['first_review_p50_ms']} ms  p95 "
        f"{result['first_review_p95_ms']} ms ({result['first_reviews']} of {result['reviews']})"
    )
    print(f"queue/query p95 ratio {result['ratio_p95']}; world dropped in {result['drop_s']} s")
    keys = ("students", "card_states", "queue_p50_ms", "queue_p95_ms", "raw_p95_ms")
    print_bench_line("review", result, (*keys, "review_p50_ms", "review_p95_ms", "load_s"))
    return 0


def cmd_bench_item_analysis(args: argparse.Namespace) -> int:
    from learning_app.bench.item_analysis import run_item_analysis_bench

    result = run_item_analysis_bench(
        students=args.students,
        attempts=args.attempts,
        samples=args.samples,
        recompute_samples=args.recompute_samples,
        gradebook_samples=args.gradebook_samples,
    )
    print(
        f"{result['attempts']} attempts by {result['students']} students: loaded in "
        f"{result['load_s']} s, vacuumed in {result['vacuum_s']} s; "
        f"{result['questions']} questions, {result['flagged']} flagged, alpha {result['alpha']}"
    )
    for label, name in (
        ("item analysis", "analysis"),
        ("  recomputed", "recompute"),
        ("gradebook", "gradebook"),
    ):
        p50, p95 = result[f"{name}_p50_ms"], result[f"{name}_p95_ms"]
        print(f"{label:<14} p50 {p50} ms  p95 {p95} ms")
    print(
        f"gradebook of {result['gradebook_students']} students; "
        f"world dropped in {result['drop_s']} s"
    )
    keys = ("attempts", "analysis_p95_ms", "gradebook_p95_ms")
    print_bench_line("item-analysis", result, keys)
    return 0


def cmd_bench_retrieval(args: argparse.Namespace) -> int:
    from learning_app.bench.retrieval import run_retrieval_bench

    index = {"m": args.m, "ef_construction": args.ef_construction}
    result = run_retrieval_bench(
        chunks=args.chunks,
        queries=args.queries,
        vectors=args.vectors,
        ef_search=args.ef_search,
        **{name: value for name, value in index.items() if value is not None},
    )
    print(
        f"{result['chunks']} chunks ({result['vectors']} vectors), m {result['m']}, "
        f"ef_construction {result['ef_construction']}, ef_search {result['ef_search']}"
    )
    print(f"HNSW search  p50 {result['p50_ms']} ms  p95 {result['p95_ms']} ms")
    print(f"recall@10 against exact search: {result['recall_at_10']}")
    keys = ("chunks", "p50_ms", "p95_ms", "recall_at_10")
    print_bench_line("retrieval", result, keys)
    return 0


def cmd_bench_ingest(args: argparse.Namespace) -> int:
    from learning_app.bench.ingest import run_ingest_bench

    result = run_ingest_bench(documents=args.documents, sections=args.sections)
    print(f"{result['chunks']} chunks in {args.documents} documents")
    print(f"ingestion (extract, chunk, embed, write)  {result['pipeline_chunks_per_s']} chunks/s")
    print(f"raw embedder on the same texts            {result['raw_chunks_per_s']} chunks/s")
    print(f"ratio {result['ratio']} (goal >= 0.8)")
    print(json.dumps({"bench": "ingest", **result}))
    return 0


def cmd_bench_tutor(args: argparse.Namespace) -> int:
    from learning_app.adapters.llm import chat_model
    from learning_app.bench.eval_set import EvalSetError
    from learning_app.bench.tutor import run_tutor_bench

    chat = chat_model() if args.with_model else None
    if args.with_model and chat is None:
        raise CliError("--with-model needs OPENAI_API_KEY or OPENAI_BASE_URL")
    try:
        result = run_tutor_bench(Path(args.set), chat=chat)
    except EvalSetError as exc:
        raise CliError(str(exc)) from None
    for name, half in result["halves"].items():  # type: ignore[attr-defined]
        print(f"{name:8} {json.dumps(half)}")
    print(f"misses   {json.dumps(result.pop('misses'))}")
    details = result.pop("details")
    if args.details:
        lines = [json.dumps(row) for row in details]  # type: ignore[attr-defined]
        Path(args.details).write_text("\n".join(lines) + "\n")
    print(json.dumps(result))
    return 0


def cmd_bench_tutor_scale(args: argparse.Namespace) -> int:
    from learning_app.bench.tutor_scale import run_tutor_scale_bench

    result = run_tutor_scale_bench(chunks=args.chunks, queries=args.queries)
    print(f"{result['chunks']} chunks, {result['sentences']} sentences, one course")
    print(f"tutor per question  p50 {result['tutor_p50_ms']} ms  p95 {result['tutor_p95_ms']} ms")
    print(json.dumps({"bench": "tutor-scale", **result}))
    return 0


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
    )
    prepare_stores()
    servers = (
        f"{options.servers} app servers behind HAProxy" if options.servers > 1 else "1 app server"
    )
    load = (
        f"students in steps up to {options.capacity_max}"
        if options.find_capacity
        else f"{options.users} students for {options.duration_s} s"
    )
    print(
        f"one student for {options.baseline_s} s (the baseline), then {load}, then "
        f"{options.spike_students} starting one exam within {options.spike_window_s:g} s; "
        f"{servers}, {options.workers} workers each, on loopback",
        flush=True,
    )
    backend_env = reflex_environment(get_settings(), prod=True, workers=options.workers)
    result = run_load_bench(options, backend_env)
    print(f"{'action':<14}{'count':>7}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}")
    for line in result["by_action"]:  # type: ignore[attr-defined]
        print(f"{line.kind:<14}{line.count:>7}{line.errors:>8}{line.p50_ms:>9}{line.p95_ms:>9}")
        if line.first_error:
            print(f"  first error: {line.first_error}")
    print(f"baseline (one student): ordinary actions p50 {result['baseline_p50_ms']} ms")
    if not options.find_capacity:
        print(
            f"under load: ordinary p50 {result['p50_ms']} ms  p95 {result['p95_ms']} ms "
            f"= {result['p95_ratio']}x the baseline (goal <= 4); once everyone has signed in "
            f"p95 {result['settled_p95_ms']} ms; {result['actions']} actions"
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
            f"Postgres {postgres} ms"
        )
    if "spike_backend_cpu_ms_per_student" in result:
        print(
            "CPU per spike student (connect, hydrate on the exam page, Start): backend "
            f"{result['spike_backend_cpu_ms_per_student']} ms"
        )
    print(f"answers confirmed as saved but missing from the database: {result['lost_answers']}")
    print(f"logs and samples: {result['workdir']}")
    keys = ["users", "servers", "errors", "baseline_p50_ms", "p50_ms", "p95_ms", "p95_ratio"]
    if options.find_capacity:  # no fixed class: the steps' figures instead
        keys = ["servers", "baseline_p50_ms", "capacity_students", "capacity_p95_ratio"]
    keys += ["spike_students", "spike_errors", "spike_p95_ms", "spike_ratio", "lost_answers"]
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


def add_bench_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    bench_cmd = sub.add_parser("bench", help="print performance figures").add_subparsers(
        dest="bench_command", required=True
    )
    auth_bench = bench_cmd.add_parser("auth", help="session lookup vs Redis GET, argon2 cost")
    auth_bench.add_argument("--samples", type=int, default=2000)
    auth_bench.set_defaults(func=cmd_bench_auth)
    exams_bench = bench_cmd.add_parser(
        "exams", help="exam-start spike: N students start one exam and save 10 answers"
    )
    exams_bench.add_argument("--students", type=int, default=500)
    exams_bench.add_argument("--window", type=float, default=10.0, help="seconds of arrivals")
    exams_bench.add_argument("--processes", type=int, default=0, help="default: one per core")
    exams_bench.set_defaults(func=cmd_bench_exams)
    share_bench = bench_cmd.add_parser("share", help="share-link lookups among 100k links")
    share_bench.add_argument("--tokens", type=int, default=100_000)
    share_bench.add_argument("--lookups", type=int, default=2_000)
    share_bench.set_defaults(func=cmd_bench_share)
    search_bench = bench_cmd.add_parser(
        "search",
        help="the app's search service vs the raw Typesense client, 50k lessons, 500k passages",
    )
    search_bench.add_argument("--items", type=int, default=50_000, help="lessons")
    search_bench.add_argument("--passages", type=int, default=500_000)
    search_bench.add_argument("--queries", type=int, default=300)
    search_bench.set_defaults(func=cmd_bench_search)

    dashboard_bench = bench_cmd.add_parser(
        "dashboard", help="teacher dashboard: roll-ups and views vs naive aggregates"
    )
    dashboard_bench.add_argument("--students", type=int, default=10_000)
    dashboard_bench.add_argument("--events", type=int, default=1_000_000)
    dashboard_bench.add_argument("--samples", type=int, default=50)
    dashboard_bench.add_argument("--naive-samples", type=int, default=10)
    dashboard_bench.set_defaults(func=cmd_bench_dashboard)

    review_bench = bench_cmd.add_parser(
        "review", help="due queue and rating a card among 5M memory states (10k x 500)"
    )
    review_bench.add_argument("--students", type=int, default=10_000)
    review_bench.add_argument("--cards-per-student", type=int, default=500)
    review_bench.add_argument("--signed-in", type=int, default=200, help="students sampled")
    review_bench.add_argument("--samples", type=int, default=400, help="timed rounds")
    review_bench.add_argument(
        "--keep", action="store_true", help="keep the world; a run of the same size reuses it"
    )
    review_bench.set_defaults(func=cmd_bench_review)

    items_bench = bench_cmd.add_parser(
        "item-analysis", help="item analysis of 10k attempts x 40 questions, and the gradebook"
    )
    items_bench.add_argument("--students", type=int, default=2_000)
    items_bench.add_argument("--attempts", type=int, default=10_000)
    items_bench.add_argument("--samples", type=int, default=200, help="page views timed")
    items_bench.add_argument("--recompute-samples", type=int, default=10)
    items_bench.add_argument("--gradebook-samples", type=int, default=50)
    items_bench.set_defaults(func=cmd_bench_item_analysis)
    retrieval_bench = bench_cmd.add_parser(
        "retrieval", help="HNSW search among 100k synthetic chunks, recall@10 vs exact"
    )
    retrieval_bench.add_argument("--chunks", type=int, default=100_000)
    retrieval_bench.add_argument("--queries", type=int, default=200)
    retrieval_bench.add_argument(
        "--vectors",
        choices=RETRIEVAL_VECTORS,
        default="topics",
        help="synthetic chunks: topic clusters (default), isotropic clusters, or uniform (worst)",
    )
    retrieval_bench.add_argument("--m", type=int, help="HNSW links per node (default: the app's)")
    retrieval_bench.add_argument("--ef-construction", type=int, help="default: the app's")
    retrieval_bench.add_argument("--ef-search", type=int, help="default: TUTOR_EF_SEARCH")
    retrieval_bench.set_defaults(func=cmd_bench_retrieval)

    ingest_bench = bench_cmd.add_parser(
        "ingest", help="chunks/s through ingestion vs the raw embedder on the same texts"
    )
    ingest_bench.add_argument("--documents", type=int, default=8)
    ingest_bench.add_argument("--sections", type=int, default=16, help="headed sections each")
    ingest_bench.set_defaults(func=cmd_bench_ingest)
    tutor_bench = bench_cmd.add_parser(
        "tutor", help="tutor hit@k, answer tiers and search top 3 on an evaluation set"
    )
    tutor_bench.add_argument(
        "--set", required=True, metavar="DIR", help="e.g. tests/data/tutor_eval"
    )
    tutor_bench.add_argument(
        "--with-model",
        action="store_true",
        help="answer with the configured language model (OPENAI_BASE_URL / OPENAI_API_KEY)",
    )
    tutor_bench.add_argument(
        "--details", metavar="FILE", help="write each question's rank, tier and score (JSONL)"
    )
    tutor_bench.set_defaults(func=cmd_bench_tutor)
    scale_bench = bench_cmd.add_parser(
        "tutor-scale", help="the tutor's cost per question in one course of 100k chunks"
    )
    scale_bench.add_argument("--chunks", type=int, default=100_000)
    scale_bench.add_argument("--queries", type=int, default=200)
    scale_bench.set_defaults(func=cmd_bench_tutor_scale)

    load_bench = bench_cmd.add_parser(
        "load", help="simulated students over the websocket (Locust), then an exam-start spike"
    )
    load_bench.add_argument("--users", type=int, default=200, help="signed-in students")
    load_bench.add_argument("--spawn-rate", type=float, default=10.0, help="arrivals per second")
    load_bench.add_argument("--duration", type=int, default=90, help="seconds of load")
    load_bench.add_argument("--spike-students", type=int, default=500)
    load_bench.add_argument("--spike-window", type=float, default=10.0, help="seconds of starts")
    load_bench.add_argument("--workers", type=int, default=2, help="backend workers")
    load_bench.add_argument("--think-min", type=float, default=2.0, help="seconds between actions")
    load_bench.add_argument("--think-max", type=float, default=6.0)
    load_bench.add_argument(
        "--baseline", type=int, default=30, help="seconds of the one-student baseline"
    )
    load_bench.add_argument(
        "--servers", type=int, default=1, help="app servers (2 or more: behind HAProxy)"
    )
    load_bench.add_argument(
        "--kill-server-after", type=float, help="kill one server this many seconds into the load"
    )
    load_bench.add_argument(
        "--find-capacity", action="store_true", help="ramp students to the largest count that holds"
    )
    load_bench.add_argument("--capacity-max", type=int, default=1600, help="students at most")
    load_bench.add_argument(
        "--capacity-hold", type=int, default=30, help="seconds each capacity step holds its load"
    )
    load_bench.set_defaults(func=cmd_bench_load)
