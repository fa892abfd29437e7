"""Every form control a page submits has a `name`: Reflex 0.10.1 warns at start-up about a
control submitted by its `id` (the navbar search box was one), and 0.11 stops sending it."""

from __future__ import annotations

from unittest import mock

import reflex_components_core.el.elements.forms as reflex_forms


def test_no_page_submits_a_control_by_its_id() -> None:
    warned: list[str] = []
    with mock.patch.object(
        reflex_forms.console,
        "deprecate",
        side_effect=lambda **warning: warned.append(warning["feature_name"]),
    ):
        from learning_app.learning_app import app

        pages = getattr(app, "_unevaluated_pages", {})
        assert pages, "the app registers its pages"
        for page in pages.values():
            page.component() if callable(page.component) else page.component
    assert warned == []
