"""Password sign-in and magic links, against the real stack."""

from __future__ import annotations

import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import select

from learning_app.adapters.postgres import session_scope
from learning_app.models.users import User
from learning_app.services.accounts import links, one_time_tokens, sessions, users, viewers
from learning_app.services.accounts.one_time_tokens import TokenPurpose
from learning_app.services.errors import (
    AuthenticationFailed,
    InvalidToken,
    RateLimited,
)
from tests.integration.accounts.helpers import (
    IP,
    PASSWORD,
    UA,
    link_token,
    make_user,
    messages_to,
    sign_in,
    wait_for_mail,
)

# --- password sign-in --------------------------------------------------------------------------


def test_unknown_email_and_wrong_password_give_the_same_message(stores: None, email: str) -> None:
    make_user(email)
    with pytest.raises(AuthenticationFailed) as unknown:
        sign_in(f"nobody-{email}")
    with pytest.raises(AuthenticationFailed) as wrong:
        sign_in(email, "wrong password")
    assert str(unknown.value) == str(wrong.value) == "Email or password is incorrect."


def test_sign_in_starts_a_session_and_records_the_login(stores: None, email: str) -> None:
    make_user(email)
    viewer, token = sign_in(email.upper())
    assert viewer.email == email
    with session_scope() as session:
        assert viewers.viewer_for_session(session, token) == viewer
        assert session.exec(select(User.last_login_at)).one() is not None
    users.sign_out(token)
    with session_scope() as session:
        assert viewers.viewer_for_session(session, token) is None


def test_a_deactivated_account_cannot_sign_in(stores: None, email: str) -> None:
    make_user(email)
    _, token = sign_in(email)
    with session_scope() as session:
        session.exec(select(User)).one().is_active = False
    with pytest.raises(AuthenticationFailed):
        sign_in(email)
    with session_scope() as session:
        assert viewers.viewer_for_session(session, token) is None


def test_five_wrong_passwords_then_rate_limited(stores: None, email: str) -> None:
    make_user(email)
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            sign_in(email, "wrong password")
    with pytest.raises(RateLimited) as caught:
        sign_in(email)  # even the right password waits: the attempt is counted first
    assert 0 < caught.value.retry_after_seconds <= 60
    # A full window left reads "1 minute"; otherwise "N seconds".
    wording = r"Too many attempts\. Try again in (\d+ seconds?|1 minute)\."
    assert re.fullmatch(wording, str(caught.value))


def test_a_password_spray_across_emails_from_one_ip_is_limited(stores: None, email: str) -> None:
    """One guess at each of 12 accounts never reaches the per-email limit; the per-IP count of
    failed sign-ins does. Successes give their count back, and other addresses are not held."""
    accounts = [f"{n}-{email}" for n in range(12)]
    for address in accounts:
        make_user(address)
    for address in accounts[:3]:
        sign_in(address)  # a classroom's good sign-ins use none of the failures' budget
    for address in accounts[:10]:
        with pytest.raises(AuthenticationFailed):
            sign_in(address, "Summer2024!")
    for address in (accounts[10], accounts[11], f"nobody-{email}", accounts[0]):
        with pytest.raises(RateLimited) as caught:
            sign_in(address, "Summer2024!" if address != accounts[0] else PASSWORD)
        assert str(caught.value).startswith(
            "Too many failed sign-ins from your network (a sign-in link by email still works). "
            "Try again in "
        )
        assert 840 < caught.value.retry_after_seconds <= 900
    with session_scope() as session:  # another address signs in as usual
        users.sign_in_with_password(
            session, email=accounts[11], password=PASSWORD, client_ip="192.0.2.99", user_agent=UA
        )


def _all_at_once(attempts: list[tuple[str, str]]) -> list[object]:
    """Each (email, password) signed in from one address, all at the same moment; the
    outcome of each: the viewer, or the error raised."""
    barrier = threading.Barrier(len(attempts))

    def attempt(email: str, password: str) -> object:
        barrier.wait()
        try:
            return sign_in(email, password)[0]
        except (AuthenticationFailed, RateLimited) as exc:
            return exc

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        return list(pool.map(lambda pair: attempt(*pair), attempts))


def test_a_class_signing_in_at_once_behind_one_address_is_not_refused(
    stores: None, email: str
) -> None:
    """Thirty good sign-ins in flight together: none spends the failure budget."""
    accounts = [f"{n}-{email}" for n in range(30)]
    for address in accounts:
        make_user(address)
    outcomes = _all_at_once([(address, PASSWORD) for address in accounts])
    assert all(isinstance(outcome, viewers.Viewer) for outcome in outcomes), outcomes


def test_a_burst_of_parallel_guesses_is_bounded_by_the_checks_in_flight(
    stores: None, email: str
) -> None:
    """Sixty wrong guesses sent together: at most 40 are checked at once (the in-flight
    limit), and once 10 have failed every later one is refused, the right password too; so
    a burst gets at most 40 + 10 guesses per window, where one at a time gets 10."""
    accounts = [f"{n}-{email}" for n in range(60)]
    for address in accounts[:5]:
        make_user(address)
    outcomes = _all_at_once([(address, "Summer2024!") for address in accounts])
    checked = [o for o in outcomes if isinstance(o, AuthenticationFailed)]
    refused = [o for o in outcomes if isinstance(o, RateLimited)]
    assert len(checked) + len(refused) == 60
    assert 10 <= len(checked) <= 50, len(checked)
    with pytest.raises(RateLimited):
        sign_in(accounts[0])


# --- magic links -------------------------------------------------------------------------------


def test_magic_link_signs_in_once_and_verifies_the_email(stores: None, email: str) -> None:
    make_user(email)
    with session_scope() as session:
        session.exec(select(User)).one().email_verified_at = None
    with session_scope() as session:
        links.request_magic_link(session, email=email.upper(), client_ip=IP)
    token = link_token(email, "/auth/magic-link")
    with session_scope() as session:
        viewer, session_token = links.sign_in_with_magic_link(
            session, token=token, client_ip=IP, user_agent=UA
        )
    assert viewer.email == email and viewer.email_verified is True
    assert sessions.resolve_session(session_token) == uuid.UUID(viewer.user_id)
    with session_scope() as session, pytest.raises(InvalidToken) as again:
        links.sign_in_with_magic_link(session, token=token, client_ip=IP, user_agent=UA)
    assert "invalid or has expired" in str(again.value)


def test_magic_link_for_an_unknown_email_answers_the_same_and_sends_nothing(
    stores: None, email: str
) -> None:
    with session_scope() as session:
        assert links.request_magic_link(session, email=email, client_ip=IP) is None
    time.sleep(0.3)
    assert messages_to(email) == []


def test_expired_and_tampered_magic_links_are_refused(stores: None, email: str) -> None:
    viewer = make_user(email)
    expired = one_time_tokens.issue(TokenPurpose.MAGIC_LINK, uuid.UUID(viewer.user_id), ttl=1)
    time.sleep(1.1)
    valid = one_time_tokens.issue(TokenPurpose.MAGIC_LINK, uuid.UUID(viewer.user_id))
    tampered = valid[:-1] + ("A" if valid[-1] != "A" else "B")
    for token in (expired, tampered, "../../etc/passwd", "", "x" * 5000):
        with session_scope() as session, pytest.raises(InvalidToken):
            links.sign_in_with_magic_link(session, token=token, client_ip=IP, user_agent=UA)
    with session_scope() as session:  # the tampering attempt did not spend the real link
        links.sign_in_with_magic_link(session, token=valid, client_ip=IP, user_agent=UA)


def test_magic_link_requests_are_rate_limited(stores: None, email: str) -> None:
    make_user(email)
    for _ in range(3):
        with session_scope() as session:
            links.request_magic_link(session, email=email, client_ip=IP)
    with session_scope() as session, pytest.raises(RateLimited) as caught:
        links.request_magic_link(session, email=email, client_ip=IP)
    assert "minutes" in str(caught.value)
    assert len(wait_for_mail(email, count=3)) == 3
