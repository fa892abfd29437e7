"""`/admin/users`: admins list users and change their roles. The service checks the role."""

from __future__ import annotations

from collections.abc import AsyncIterator

import reflex as rx

from learning_app.components.feedback import empty_state
from learning_app.components.forms import form_error, form_notice
from learning_app.components.layout import page_shell
from learning_app.services.admin import user_roles
from learning_app.services.admin.user_roles import UserRow
from learning_app.services.errors import PermissionDenied
from learning_app.state.auth import AuthState, sign_in_redirect
from learning_app.state.calls import PageLoading

ROLES = ["student", "teacher", "admin"]


class AdminUsersState(PageLoading, AuthState):
    users: list[UserRow] = []
    query: str = ""
    denied: bool = False

    async def _reload(self) -> None:
        with self._loading():
            try:
                self.users = await self._fetch(user_roles.list_users, query=self.query)
                self.denied = False
            except PermissionDenied:
                self.users, self.denied = [], True

    @rx.event
    async def open_page(self) -> AsyncIterator[object]:
        self._start_loading()
        if await self._refresh_viewer() is None:
            yield sign_in_redirect(self.router.url.path)
            return
        await self._reload()

    @rx.event
    async def search(self, form: dict[str, str]) -> None:
        self.query = form.get("query", "")[:200]
        await self._reload()

    @rx.event
    async def change_role(self, user_id: str, role: str) -> None:
        row = await self._call(user_roles.set_role, user_id=user_id, role=role)
        if row is not None:
            self.notice = f"{row.display_name} is now a {row.role}."
        await self._reload()


def _user_row(user: UserRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(user.display_name),
        rx.table.cell(user.email),
        rx.table.cell(rx.cond(user.email_verified, "yes", "no")),
        rx.table.cell(user.created_at),
        rx.table.cell(
            rx.select(
                ROLES,
                value=user.role,
                on_change=lambda role: AdminUsersState.change_role(user.user_id, role),
                aria_label="Role of " + user.email,
            )
        ),
    )


def _users_table() -> rx.Component:
    return rx.cond(
        AdminUsersState.users.length() > 0,
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(h)
                        for h in ("Name", "Email", "Verified", "Joined", "Role")
                    ]
                )
            ),
            rx.table.body(rx.foreach(AdminUsersState.users, _user_row)),
            width="100%",
        ),
        empty_state("users", "No users found", "No account matches this search."),
    )


def admin_users_page() -> rx.Component:
    return page_shell(
        rx.cond(
            AdminUsersState.denied,
            empty_state("shield-x", "Not allowed", "Only admins can manage users."),
            rx.vstack(
                rx.heading("Users", size="7", as_="h1"),
                form_error(AdminUsersState.error),
                form_notice(AdminUsersState.notice),
                rx.form(
                    rx.hstack(
                        rx.el.label("Search users", html_for="user-query", font_weight="500"),
                        rx.input(
                            id="user-query",
                            name="query",
                            max_length=200,
                            placeholder="Email or name",
                        ),
                        rx.button("Search", type="submit"),
                        align="center",
                    ),
                    on_submit=AdminUsersState.search,
                ),
                rx.cond(AdminUsersState.loading, rx.spinner(), _users_table()),
                spacing="4",
                width="100%",
            ),
        )
    )
