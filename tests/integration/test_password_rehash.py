"""Password hashes made with older argon2 parameters keep working and move to the current ones."""

from __future__ import annotations

from argon2 import PasswordHasher
from sqlmodel import select

from learning_app.adapters.postgres import session_scope
from learning_app.models.users import User
from learning_app.services.accounts import users
from tests.integration.people import PASSWORD, person


def test_a_hash_with_older_parameters_signs_in_and_is_rehashed_to_the_current_ones(
    stores: None,
) -> None:
    person("ada")
    rfc_9106_default = PasswordHasher()  # 64 MiB, 3 iterations, 4 lanes: the previous setting
    with session_scope() as session:
        user = session.exec(select(User).where(User.email == "ada@example.com")).one()
        user.password_hash = rfc_9106_default.hash(PASSWORD)

    with session_scope() as session:
        viewer, _ = users.sign_in_with_password(
            session,
            email="ada@example.com",
            password=PASSWORD,
            client_ip="198.51.100.2",
            user_agent="t",
        )
    assert viewer.email == "ada@example.com"

    with session_scope() as session:
        stored = session.exec(select(User.password_hash).where(User.email == "ada@example.com"))
        rehashed = stored.one()
    assert rehashed is not None
    assert rehashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    with session_scope() as session:
        users.sign_in_with_password(
            session,
            email="ada@example.com",
            password=PASSWORD,
            client_ip="198.51.100.2",
            user_agent="t",
        )
