"""Password hashing with argon2id, at OWASP's recommended minimum: 19 MiB of memory, 2
iterations, 1 lane (the Password Storage Cheat Sheet rates it equal to its other settings).

argon2-cffi's default (RFC 9106's 64 MiB, 3 iterations, 4 lanes) costs ~100 ms of CPU per check
here, so 200 students signing in at the start of a class queue for 20 CPU-seconds on 2 cores
and every page of the app stalls behind them (`learning-app bench load`: ordinary p95 3.7 s
during the sign-in wave). This setting costs ~18 ms. Hashes made with other parameters still
verify, and are rehashed to these at the next sign-in.

Even so, argon2 is the one part of the app that is heavy on the CPU by design, and a class
arriving at once (10 sign-ins a second) spent 29% of the backend's samples in it, competing
with every page of the students already in. So hashing and checking run in a small pool of
worker processes at a lower priority (nice 10, `PASSWORD_HASH_PROCESSES` per app worker): a
sign-in wave takes the CPU the pages leave idle. A sign-in may then wait longer under load,
which it is allowed to; nothing else does.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from learning_app.adapters.per_process import PerProcess
from learning_app.adapters.unit_slots import waiting_elsewhere
from learning_app.settings import get_settings

T = TypeVar("T")
# The niceness of the hashing processes: CFS then gives the app's own threads about ten times
# their share of a contended core.
HASHING_NICENESS = 10

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
    return _in_hashing_process(_hash, password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if the password matches; costs the same time when there is no hash to check."""
    return _in_hashing_process(_verify, password_hash, password)


def _hash(password: str) -> str:
    return _hasher.hash(password)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _lower_priority() -> None:
    os.nice(HASHING_NICENESS)


# forkserver: the app's processes run threads, which a plain fork must not copy.
_pool = PerProcess(
    lambda: ProcessPoolExecutor(
        max_workers=get_settings().password_hash_processes,
        mp_context=multiprocessing.get_context("forkserver"),
        initializer=_lower_priority,
    )
)


def _hashing_pool() -> ProcessPoolExecutor | None:
    if get_settings().password_hash_processes == 0:
        return None
    return _pool.get()


def _in_hashing_process(func: Callable[..., T], *args: object) -> T:
    """`func(*args)` in the hashing pool, or here when there is none or it broke (a killed
    process: the next call makes a new pool)."""
    pool = _hashing_pool()
    if pool is not None:
        try:
            with waiting_elsewhere():  # a sign-in wave must not hold every unit's slot
                return pool.submit(func, *args).result()
        except BrokenProcessPool:
            _pool.forget()
    return func(*args)


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
