"""The hashing processes: a worker keeps its pool, and a killed hashing process costs one check
in the request's own thread, after which a new pool is made."""

from __future__ import annotations

from learning_app.services.accounts import passwords


def test_a_killed_hashing_process_is_replaced() -> None:
    pool = passwords._hashing_pool()
    assert pool is not None and passwords._hashing_pool() is pool
    pool.submit(int).result()  # its process is up
    for process in list(pool._processes.values()):
        process.kill()
        process.join(timeout=10)
    password_hash = passwords._hash("a long password")
    assert passwords.verify_password(password_hash, "a long password")  # checked here
    fresh = passwords._hashing_pool()
    assert fresh is not pool
    assert passwords.verify_password(password_hash, "a long password")
