"""`learning-app bench ...`: the benchmarks' subcommands and their options. Each prints its
figures and ends with one JSON line; the handlers are in `bench_handlers`, and `bench_load` for
the load bench."""

from __future__ import annotations

import argparse

from learning_app.bench import RETRIEVAL_VECTORS
from learning_app.cli.bench_handlers import (
    cmd_bench_auth,
    cmd_bench_dashboard,
    cmd_bench_drift,
    cmd_bench_exams,
    cmd_bench_histories,
    cmd_bench_ingest,
    cmd_bench_item_analysis,
    cmd_bench_retrieval,
    cmd_bench_review,
    cmd_bench_rollup,
    cmd_bench_search,
    cmd_bench_share,
    cmd_bench_tutor,
    cmd_bench_tutor_scale,
)
from learning_app.cli.bench_load import cmd_bench_load


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

    rollup_bench = bench_cmd.add_parser(
        "rollup", help="the flush keeping the daily roll-ups, quiet day vs busy day vs recompute"
    )
    rollup_bench.add_argument("--students", type=int, default=10_000)
    rollup_bench.add_argument("--events", type=int, default=1_000_000, help="today's events")
    rollup_bench.add_argument("--batches", type=int, default=20)
    rollup_bench.add_argument("--batch-size", type=int, default=2_000)
    rollup_bench.add_argument("--recomputes", type=int, default=3)
    rollup_bench.set_defaults(func=cmd_bench_rollup)

    histories_bench = bench_cmd.add_parser(
        "histories", help="the flush's stats recompute for students with long histories"
    )
    histories_bench.add_argument("--students", type=int, default=200)
    histories_bench.add_argument("--events-each", type=int, default=5_000)
    histories_bench.add_argument("--samples", type=int, default=5)
    histories_bench.set_defaults(func=cmd_bench_histories)

    drift_bench = bench_cmd.add_parser(
        "drift", help="the search drift check: the whole catalogue against one part a run"
    )
    drift_bench.add_argument("--courses", type=int, default=200)
    drift_bench.add_argument("--lessons", type=int, default=20_000)
    drift_bench.add_argument("--samples", type=int, default=3, help="whole comparisons timed")
    drift_bench.add_argument("--seed", type=int, default=7)
    drift_bench.add_argument(
        "--part-size", type=int, default=5_000, help="indexed documents per part of the catalogue"
    )
    drift_bench.set_defaults(func=cmd_bench_drift)

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
    load_bench.add_argument(
        "--arrivals",
        choices=("spread", "burst"),
        default="spread",
        help="spread each second's arrivals over it (default), or Locust's bursts",
    )
    load_bench.add_argument(
        "--chat-stand-in",
        type=float,
        default=0.0,
        metavar="TOKENS_PER_S",
        help="the tutor streams its answers from a loopback stand-in for OpenAI at this rate "
        "(default: no chat model, extractive answers in one piece)",
    )
    load_bench.add_argument(
        "--floor",
        type=int,
        default=0,
        metavar="EVENTS",
        help="every student action is this many events that touch no store (the framework's "
        "floor; an action of the real mix brings about 1.7 deltas), held to the real mix's "
        "baseline",
    )
    load_bench.set_defaults(func=cmd_bench_load)
