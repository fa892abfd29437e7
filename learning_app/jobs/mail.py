"""Mail delivery as a job: a relay outage delays messages (with backoff) and never loses them."""

from __future__ import annotations

import procrastinate

from learning_app.adapters.mailer import send_mail
from learning_app.jobs.runner import job_app
from learning_app.services.accounts.mail import MAIL_QUEUE, SEND_MAIL_TASK

# 2, 4, 8 … seconds between tries: about 9 hours of retries before a mail is given up.
MAIL_RETRY = procrastinate.RetryStrategy(max_attempts=15, exponential_wait=2)


@job_app.task(name=SEND_MAIL_TASK, queue=MAIL_QUEUE, retry=MAIL_RETRY, pass_context=False)
def send_mail_job(to: str, subject: str, text: str) -> None:
    send_mail(to=to, subject=subject, text=text)
