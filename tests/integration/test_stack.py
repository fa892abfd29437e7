"""The stack launcher against real servers: a second, independent stack on free ports.

It lives in its own folder under .data/test-stacks/ (not pytest's tmp_path: that is mode 0700
under /tmp, which PostgreSQL's service user cannot traverse when tests run as root), so a
developer's stack is never touched. One start for the whole module keeps it fast.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import smtplib
import socket
import uuid
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import psycopg
import pytest

from learning_app.settings import PROJECT_ROOT, Settings
from learning_app.stack import launcher
from learning_app.stack.base import ServerStatus
from learning_app.stack.launcher import build_servers
from learning_app.stack.mailbox import list_messages, mail_dir, read_message
from learning_app.stack.processes import StackError, pid_alive, port_in_use

pytestmark = pytest.mark.slow

TEST_STACKS = PROJECT_ROOT / ".data" / "test-stacks"
SERVER_NAMES = ["PostgreSQL", "Redis", "Typesense", "S3 (SeaweedFS)", "SMTP sink"]


def _settings(stack_dir: Path, **ports: int) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        stack_dir=stack_dir,
        database_url=None,
        database_name="stack_test",
        redis_url=f"redis://127.0.0.1:{ports['stack_redis_port']}/0",
        typesense_api_key="stack-test-key",
        s3_bucket="stack-test",
        s3_access_key_id="stack-test",
        s3_secret_access_key="stack-test-secret",
        **ports,
    )


def _free_settings(stack_dir: Path) -> Settings:
    """Settings whose every port (derived ones included) is free and distinct.

    Ports are drawn below Linux's ephemeral range (32768+) so that short-lived client sockets
    of other programs are unlikely to grab one between this check and the servers' start.
    """
    rng = random.SystemRandom()
    for _ in range(200):
        keys = ("pg", "redis", "typesense", "s3", "smtp")
        ports = {f"stack_{key}_port": rng.randrange(20000, 32000) for key in keys}
        settings = _settings(stack_dir, **ports)
        numbers = [p.number for server in build_servers(settings) for p in server.ports()]
        if len(set(numbers)) == len(numbers) and not any(map(port_in_use, numbers)):
            return settings
    raise RuntimeError("no free ports for a test stack")


def _new_stack_dir() -> Path:
    TEST_STACKS.mkdir(parents=True, exist_ok=True)
    path = TEST_STACKS / uuid.uuid4().hex[:12]
    path.mkdir()
    return path


def _listening(pids: list[int]) -> set[tuple[str, int]]:
    """(address as /proc/net/tcp writes it, port) of every TCP listener these processes hold."""
    inodes = set()
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[len("socket:[") : -1])
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].rsplit(":", 1)
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                found.add((address, int(port_hex, 16)))
    return found


@pytest.fixture(scope="module")
def settings() -> Iterator[Settings]:
    stack_dir = _new_stack_dir()
    settings = _free_settings(stack_dir)
    try:
        yield settings
    finally:
        launcher.down(settings)
        shutil.rmtree(stack_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def started(settings: Settings) -> list[ServerStatus]:
    return launcher.up(settings)


def test_up_starts_every_server_on_loopback_only(
    settings: Settings, started: list[ServerStatus]
) -> None:
    assert [s.name for s in started] == SERVER_NAMES
    assert all(s.running and s.pid for s in started), launcher.format_status(started)
    assert all("127.0.0.1" in s.address for s in started)

    current = launcher.status(settings)
    assert [(s.pid, s.detail) for s in current] == [(s.pid, "ready") for s in started]
    table = launcher.format_status(current)
    assert "PostgreSQL" in table and str(settings.stack_pg_port) in table

    # Every listener of every server is on 127.0.0.1, on a port the launcher knows about
    # (SeaweedFS's admin port opens a moment after S3 answers, so it may still be missing).
    listeners = _listening([s.pid for s in started if s.pid])
    declared = {p.number for server in build_servers(settings) for p in server.ports()}
    assert {address for address, _ in listeners} == {"0100007F"}  # 127.0.0.1
    assert {port for _, port in listeners} <= declared
    main_ports = [getattr(settings, f"stack_{k}_port") for k in ("pg", "redis", "s3", "smtp")]
    assert {*main_ports, settings.stack_typesense_port} <= {port for _, port in listeners}


def test_postgres_answers_sql_with_pgvector(
    settings: Settings, started: list[ServerStatus]
) -> None:
    with psycopg.connect(settings.libpq_url, autocommit=True) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == ("stack_test",)
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        row = conn.execute("SELECT '[1,2,3]'::vector::text, '[1,0]'::vector <=> '[0,1]'::vector")
        assert row.fetchone() == ("[1,2,3]", 1.0)


def test_redis_answers(settings: Settings, started: list[ServerStatus]) -> None:
    import redis

    client = redis.Redis(host="127.0.0.1", port=settings.stack_redis_port)
    client.set("stack-test", "value")
    assert client.get("stack-test") == b"value"
    client.close()


def test_typesense_indexes_and_searches(settings: Settings, started: list[ServerStatus]) -> None:
    import typesense

    client = typesense.Client(
        {
            "api_key": settings.typesense_api_key,
            "nodes": [
                {"host": "127.0.0.1", "port": settings.stack_typesense_port, "protocol": "http"}
            ],
            "connection_timeout_seconds": 5,
        }
    )
    with client.api_call:  # closes its HTTP connections
        client.collections.create(
            {"name": "lessons", "fields": [{"name": "title", "type": "string"}]}
        )
        lessons = client.collections["lessons"]
        lessons.documents.create({"id": "1", "title": "Photosynthesis basics"})
        found = lessons.documents.search({"q": "photosynthesys", "query_by": "title"})  # a typo
    assert found["found"] == 1


def _s3(settings: Settings, secret: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        "s3",
        endpoint_url=settings.s3_endpoint_url,
        aws_access_key_id=settings.s3_access_key_id,
        aws_secret_access_key=secret,
        region_name=settings.s3_region,
        config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}),
    )


def test_s3_stores_objects_and_refuses_a_wrong_secret(
    settings: Settings, started: list[ServerStatus]
) -> None:
    from botocore.exceptions import ClientError

    good = _s3(settings, settings.s3_secret_access_key)
    good.put_object(Bucket=settings.s3_bucket, Key="a/b.txt", Body=b"hello")
    body = good.get_object(Bucket=settings.s3_bucket, Key="a/b.txt")["Body"].read()
    assert body == b"hello"

    bad = _s3(settings, "not-the-secret")
    with pytest.raises(ClientError) as refused:
        bad.get_object(Bucket=settings.s3_bucket, Key="a/b.txt")
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    with pytest.raises(ClientError):
        bad.put_object(Bucket=settings.s3_bucket, Key="a/evil.txt", Body=b"x")
    good.close()
    bad.close()


def test_smtp_sink_saves_mail_that_the_mailbox_reads_back(
    settings: Settings, started: list[ServerStatus]
) -> None:
    message = EmailMessage()
    message["From"] = "Learning App <no-reply@learning-app.local>"
    message["To"] = "student@example.org"
    message["Subject"] = "Reset your password"
    message.set_content("Open http://localhost:3000/reset?token=abc to continue.")
    message.add_alternative("<p>Open <a href='#'>the link</a></p>", subtype="html")
    with smtplib.SMTP("127.0.0.1", settings.stack_smtp_port, timeout=5) as smtp:
        smtp.send_message(message, to_addrs=["student@example.org", "hidden@example.org"])

    box = mail_dir(settings)
    mails = list_messages(box)
    assert len(mails) == 1
    mail = mails[0]
    assert mail.subject == "Reset your password"
    assert mail.sender == "no-reply@learning-app.local"
    assert mail.recipients == ("student@example.org", "hidden@example.org")  # Bcc kept
    assert "token=abc" in mail.text and mail.html and "the link" in mail.html
    assert read_message(box, mail.id) == mail
    assert list_messages(box, recipient="HIDDEN@example.org") == [mail]
    assert list_messages(box, recipient="nobody@example.org") == []
    assert read_message(box, "../../etc/passwd") is None


def test_up_again_leaves_running_servers_alone(
    settings: Settings, started: list[ServerStatus]
) -> None:
    again = launcher.up(settings)
    assert [s.pid for s in again] == [s.pid for s in started]
    assert {s.detail for s in again} == {"already running"}


def test_a_held_port_fails_clearly_and_starts_nothing(started: list[ServerStatus]) -> None:
    stack_dir = _new_stack_dir()
    try:
        other = _free_settings(stack_dir)
        s3_master_port = other.stack_s3_port + 1
        cases = [
            (other.stack_redis_port, "Redis", "STACK_REDIS_PORT"),
            (s3_master_port, "S3 (SeaweedFS)", "STACK_S3_PORT"),
        ]
        for port, name, env_var in cases:
            with socket.socket() as holder:
                # As `port_in_use` checks it: an earlier test stack's connection on this port,
                # still in TIME_WAIT, must not fail the bind. A live listener still blocks it.
                holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                holder.bind(("127.0.0.1", port))
                holder.listen()
                with pytest.raises(StackError) as failure:
                    launcher.up(other)
            message = str(failure.value)
            assert message.count("\n") == 0, message
            assert f"port {port} for {name}" in message
            assert f"set {env_var} to a free port" in message
            assert not any(s.running for s in launcher.status(other))
            assert not any(stack_dir.glob("*/*.pid"))
    finally:
        shutil.rmtree(stack_dir, ignore_errors=True)


def test_overlapping_or_out_of_range_ports_are_refused_up_front() -> None:
    stack_dir = TEST_STACKS / f"never-created-{uuid.uuid4().hex[:8]}"
    ports = {
        "stack_pg_port": 24001,
        "stack_redis_port": 24002,
        "stack_smtp_port": 24003,
        "stack_s3_port": 24010,
        "stack_typesense_port": 24011,  # also S3's derived master port (STACK_S3_PORT+1)
    }
    with pytest.raises(StackError, match="needed by both"):
        launcher.up(_settings(stack_dir, **ports))
    ports.update(stack_typesense_port=24101, stack_s3_port=5000)  # admin port would be < 1024
    with pytest.raises(StackError, match="set STACK_S3_PORT to another port"):
        launcher.up(_settings(stack_dir, **ports))
    assert not stack_dir.exists()


def test_a_stale_pidfile_naming_a_foreign_process_is_never_signalled() -> None:
    stack_dir = _new_stack_dir()
    try:
        other = _free_settings(stack_dir)
        pidfile = stack_dir / "smtp" / "smtp.pid"
        pidfile.parent.mkdir()
        pidfile.write_text(f"{os.getpid()}\n")  # alive, but not a mail sink: not ours
        sink = next(s for s in launcher.status(other) if s.name == "SMTP sink")
        assert not sink.running and "stale" in sink.detail
        launcher.down(other)  # must not signal this test process
        assert not pidfile.exists()
    finally:
        shutil.rmtree(stack_dir, ignore_errors=True)


def test_down_stops_everything_and_keeps_the_data(
    settings: Settings, started: list[ServerStatus]
) -> None:
    stopped = launcher.down(settings)
    assert not any(s.running for s in stopped)
    assert all(s.detail.startswith("stopped (was pid") for s in stopped)
    for status in started:
        assert status.pid is not None and not pid_alive(status.pid), status
    assert not any(s.running for s in launcher.status(settings))
    assert not any(settings.stack_dir.glob("*/*.pid"))
    assert (settings.stack_dir / "postgres" / "data" / "PG_VERSION").exists()
    assert len(list_messages(mail_dir(settings))) == 1
    assert {s.detail for s in launcher.down(settings)} == {"not running"}
