"""Outgoing mail over SMTP; the local stack's sink receives it in development and tests."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from learning_app.settings import get_settings, required

SMTP_TIMEOUT_SECONDS = 10


def send_mail(*, to: str, subject: str, text: str, html: str | None = None) -> None:
    """Send one message; raises `OSError`/`smtplib.SMTPException` if the relay refuses it."""
    settings = get_settings()
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain="learning-app.local")
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")

    port = required(settings.smtp_port, "SMTP_PORT")
    with smtplib.SMTP(settings.smtp_host, port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password or "")
        smtp.send_message(message)
