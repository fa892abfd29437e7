"""The handlers of `learning-app bench <kind>`, all but `load` (in `bench_load`): each runs its
benchmark, prints its figures and ends with one JSON line (`print_bench_line`). The subcommands
and their options are wired in `bench`."""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from learning_app.cli.support import CliError


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


def cmd_bench_rollup(args: argparse.Namespace) -> int:
    from learning_app.bench.rollup import run_rollup_bench

    if min(args.students, args.batches, args.batch_size, args.recomputes) < 1:
        raise CliError("--students, --batches, --batch-size and --recomputes must be at least 1")
    if args.events < 0:
        raise CliError("--events must be 0 or more")
    result = run_rollup_bench(
        students=args.students,
        events=args.events,
        batches=args.batches,
        batch_size=args.batch_size,
        recomputes=args.recomputes,
    )
    size = result["batch_size"]
    print(f"{result['events']} events of today generated in {result['generate_s']} s")
    for label, name in (("quiet day", "flush_quiet"), ("busy day", "flush_busy")):
        p50, p95 = result[f"{name}_p50_ms"], result[f"{name}_p95_ms"]
        print(f"flush of {size} events, {label:<9}  p50 {p50} ms  p95 {p95} ms")
    p50, p95 = result["recompute_day_p50_ms"], result["recompute_day_p95_ms"]
    print(f"recomputing the busy day       p50 {p50} ms  p95 {p95} ms")
    print(
        f"busy / quiet flush {result['busy_over_quiet']}x; recompute / flush "
        f"{result['recompute_over_flush']}x; roll-ups kept by the flushes equal a recompute: "
        f"{'yes' if result['quiet_matches'] and result['busy_matches'] else 'NO'}"
    )
    keys = (
        "events",
        "flush_quiet_p50_ms",
        "flush_busy_p50_ms",
        "busy_over_quiet",
        "recompute_day_p50_ms",
        "recompute_over_flush",
        "quiet_matches",
        "busy_matches",
    )
    print_bench_line("rollup", result, keys)
    return 0 if result["quiet_matches"] and result["busy_matches"] else 1


def cmd_bench_histories(args: argparse.Namespace) -> int:
    from learning_app.bench.histories import run_histories_bench

    if min(args.students, args.events_each, args.samples) < 1:
        raise CliError("--students, --events-each and --samples must be at least 1")
    result = run_histories_bench(
        students=args.students, events_each=args.events_each, samples=args.samples
    )
    print(
        f"{result['students']} students with {result['events_each']} events each, "
        f"generated in {result['generate_s']} s"
    )
    for label, name in (("from their digests", "digests"), ("from all their events", "events")):
        p50, p95 = result[f"{name}_p50_ms"], result[f"{name}_p95_ms"]
        print(f"their stats {label:<22} p50 {p50} ms  p95 {p95} ms")
    print(f"events / digests {result['events_over_digests']}x")
    keys = ("students", "events_each", "digests_p50_ms", "events_p50_ms", "events_over_digests")
    print_bench_line("histories", result, keys)
    return 0


def cmd_bench_drift(args: argparse.Namespace) -> int:
    from learning_app.bench.drift import PAGE_TEXTS, run_drift_bench

    try:
        result = run_drift_bench(
            courses=args.courses,
            lessons=args.lessons,
            samples=args.samples,
            seed=args.seed,
            part_size=args.part_size,
        )
    except ValueError as exc:
        raise CliError(str(exc)) from None
    print(
        f"{result['courses']} courses, {result['lessons']} lessons: {result['documents']}"
        f" documents, generated in {result['generate_s']} s, indexed in {result['index_s']} s"
    )
    for label, name in (
        ("the whole catalogue", "whole"),
        (f"one of {result['parts']} parts", "part"),
    ):
        print(
            f"comparing {label:<20} wall p50 {result[f'{name}_wall_p50_ms']} ms"
            f" (max {result[f'{name}_wall_max_ms']})  CPU p50 {result[f'{name}_cpu_p50_ms']} ms"
            f" (max {result[f'{name}_cpu_max_ms']})"
        )
    print(
        f"whole / largest part CPU {result['whole_over_part_cpu']}x; every part once"
        f" {result['cycle_cpu_ms']} ms of CPU; choosing the part {result['choose_part_ms']} ms"
    )
    print(
        f"texts the pages showed, still rendered after every part ran:"
        f" {result['page_texts_kept']} of {PAGE_TEXTS}"
    )
    found = "yes" if result["parts_find_all"] else "NO"
    print(f"the parts found all {result['drifted_entities']} drifted entities: {found}")
    keys = ("documents", "parts", "whole_cpu_p50_ms", "part_cpu_max_ms", "whole_over_part_cpu")
    print_bench_line("drift", result, (*keys, "page_texts_kept", "parts_find_all"))
    return 0 if result["parts_find_all"] else 1


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
