"""A development SMTP server that delivers nothing: every message becomes a .eml file.

Run as its own process by the stack launcher:

    python -m learning_app.stack.mail_sink --host 127.0.0.1 --port 51025 --dir .data/stack/mail

Files are named `<ns-timestamp>-<uuid>.eml`, so sorting names sorts by arrival. The envelope
sender and recipients (which Bcc makes differ from the headers) are kept as the first two
headers, `X-Envelope-From` and `X-Envelope-To`. Read them back with
`learning_app.stack.mailbox`.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session

SINK_HOSTNAME = "mail-sink.learning-app.local"


def save_message(directory: Path, sender: str, recipients: Sequence[str], data: bytes) -> Path:
    """Write one message atomically (readers never see half a file); returns its path."""
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{time.time_ns():020d}-{uuid.uuid4().hex}.eml"
    envelope = (f"X-Envelope-From: {sender}\r\nX-Envelope-To: {', '.join(recipients)}\r\n").encode()
    tmp = directory / f".{name}.tmp"
    tmp.write_bytes(envelope + data)
    return tmp.replace(directory / name)


class SaveToDirectory:
    """aiosmtpd handler: accept every message and save it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        data = raw if isinstance(raw, bytes) else raw.encode()
        path = await asyncio.to_thread(
            save_message, self.directory, envelope.mail_from or "", envelope.rcpt_tos, data
        )
        print(f"saved {path.name} from {envelope.mail_from} to {', '.join(envelope.rcpt_tos)}")
        return "250 Message accepted for delivery"


def _accept_any_login(*_args: Any) -> AuthResult:
    # Code configured with SMTP_USERNAME/PASSWORD must work against the sink too.
    return AuthResult(success=True)


async def serve(host: str, port: int, directory: Path) -> None:
    handler = SaveToDirectory(directory)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(
            handler,
            # An explicit hostname: the default looks up the machine's FQDN, which can stall.
            hostname=SINK_HOSTNAME,
            authenticator=_accept_any_login,
            auth_require_tls=False,
        ),
        host=host,
        port=port,
    )
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"mail sink listening on {host}:{port}, saving to {directory}")
    await stop.wait()
    server.close()
    await server.wait_closed()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", type=Path, required=True, help="where .eml files go")
    args = parser.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    asyncio.run(serve(args.host, args.port, args.dir))


if __name__ == "__main__":
    main()
