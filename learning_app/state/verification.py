"""The banner an account with an unverified email sees on every page, and its "Resend the
verification link" action (rate-limited by the service: per account and per IP)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import reflex as rx

from learning_app.services.accounts import links
from learning_app.state.auth import AuthState
from learning_app.state.calls import ServiceCalls

UNVERIFIED_POLICY = (
    "Your email address is not verified yet. You can read courses, enrol and take practice "
    "exams; quizzes, final exams and the tutor open once you follow the link we emailed you."
)


class VerificationState(ServiceCalls, AuthState):
    sending: bool = False

    @rx.event
    async def resend_verification_link(self) -> AsyncIterator[object]:
        self.sending = True
        yield
        sent = await self._call(links.resend_verification, client_ip=self.router.session.client_ip)
        if sent:
            self.notice = f"We sent a new link to {self.viewer_email}. It works for 24 hours."
        elif sent is False:  # verified meanwhile (in another tab): the banner can go
            await self._refresh_viewer()
        self.sending = False
