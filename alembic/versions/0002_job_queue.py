"""Job queue: Procrastinate's tables and functions (durable background jobs in Postgres).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

The SQL is Procrastinate's own schema for the pinned version (procrastinate==3.10.*). A later
Procrastinate upgrade ships migration files (`procrastinate schema --migrations-path`); apply
them in a new revision. The tables are not SQLModel models, so `alembic_include_object` keeps
autogenerate away from them.
"""

from collections.abc import Sequence

from procrastinate.schema import SchemaManager

from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = [
    "procrastinate_events",
    "procrastinate_periodic_defers",
    "procrastinate_jobs",
    "procrastinate_workers",
]
FUNCTIONS = [
    "procrastinate_cancel_job_v1",
    "procrastinate_defer_jobs_v1",
    "procrastinate_defer_periodic_job_v2",
    "procrastinate_fetch_job_v2",
    "procrastinate_finish_job_v1",
    "procrastinate_notify_queue_abort_job_v1",
    "procrastinate_notify_queue_job_inserted_v1",
    "procrastinate_prune_stalled_workers_v1",
    "procrastinate_register_worker_v1",
    "procrastinate_retry_job_v1",
    "procrastinate_retry_job_v2",
    "procrastinate_trigger_abort_requested_events_procedure_v1",
    "procrastinate_trigger_function_scheduled_events_v1",
    "procrastinate_trigger_function_status_events_insert_v1",
    "procrastinate_trigger_function_status_events_update_v1",
    "procrastinate_unlink_periodic_defers_v1",
    "procrastinate_unregister_worker_v1",
    "procrastinate_update_heartbeat_v1",
]
TYPES = ["procrastinate_job_to_defer_v1", "procrastinate_job_event_type", "procrastinate_job_status"]


def upgrade() -> None:
    op.execute(SchemaManager.get_schema())


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
    for function in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {function} CASCADE")
    for type_ in TYPES:
        op.execute(f"DROP TYPE IF EXISTS {type_} CASCADE")
