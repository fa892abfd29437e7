"""Typed domain errors raised by the services; `str(exc)` is the message a user may see.

States catch `DomainError` and show its text; anything else is a bug and is logged instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class DomainError(Exception):
    """Base of every error whose message is safe to show to the user."""

    default_message = "Something went wrong. Please try again."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)


class InvalidInput(DomainError):
    """The user's input is not acceptable; `field` names the form field to highlight."""

    default_message = "Check the highlighted field."

    def __init__(self, message: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class AuthenticationFailed(DomainError):
    # One message for unknown email and wrong password: it must not reveal which accounts exist.
    default_message = "Email or password is incorrect."


class RateLimited(DomainError):
    """Too many attempts; `retry_after_seconds` says when the next one is allowed. `reason`
    opens the message ("Too many attempts."), which then says how long to wait."""

    def __init__(
        self,
        retry_after_seconds: int,
        message: str | None = None,
        *,
        reason: str | None = None,
    ) -> None:
        self.retry_after_seconds = max(1, int(retry_after_seconds))
        wait = _wait(self.retry_after_seconds)
        super().__init__(message or f"{reason or 'Too many attempts.'} Try again in {wait}.")


class InvalidToken(DomainError):
    default_message = "This link is invalid or has expired. Request a new one."


class PermissionDenied(DomainError):
    default_message = "You do not have permission to do that."


class NotFound(DomainError):
    default_message = "We could not find that."


class ServiceUnavailable(DomainError):
    default_message = "Sign-in is unavailable right now. Please try again in a minute."


@contextmanager
def unavailable_on(errors: tuple[type[Exception], ...]) -> Iterator[None]:
    """Turn a store's "unreachable" errors (e.g. the Redis adapter's `REDIS_UNREACHABLE`) into
    ServiceUnavailable, the error states know how to show."""
    try:
        yield
    except errors as exc:
        raise ServiceUnavailable() from exc


def _wait(seconds: int) -> str:
    """'42 seconds', '1 minute', '3 minutes' (rounded up: never promise too early)."""
    if seconds < 60:
        return f"{seconds} second" + ("" if seconds == 1 else "s")
    minutes = -(-seconds // 60)
    return f"{minutes} minute" + ("" if minutes == 1 else "s")
