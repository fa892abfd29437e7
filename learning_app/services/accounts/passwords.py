"""Password hashing with argon2id, at OWASP's recommended minimum: 19 MiB of memory, 2
iterations, 1 lane (the Password Storage Cheat Sheet rates it equal to its other settings).

argon2-cffi's default (RFC 9106's 64 MiB, 3 iterations, 4 lanes) costs ~100 ms of CPU per check
here, so 200 students signing in at the start of a class queue for 20 CPU-seconds on 2 cores
and every page of the app stalls behind them (`learning-app bench load`: ordinary p95 3.7 s
during the sign-in wave). This setting costs ~18 ms. Hashes made with other parameters still
verify, and are rehashed to these at the next sign-in."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)  # argon2id
# Verifying against this when the email is unknown makes both paths cost the same time.
_DUMMY_HASH = _hasher.hash("a password nobody has")


class PasswordPolicyError(ValueError):
    """The password does not meet the length rules; the message is user-facing."""


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(
            f"Use at least {MIN_PASSWORD_LENGTH} characters for your password."
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordPolicyError(
            f"Use at most {MAX_PASSWORD_LENGTH} characters for your password."
        )


def hash_password(password: str) -> str:
    check_password_policy(password)
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if the password matches; costs the same time when there is no hash to check."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
