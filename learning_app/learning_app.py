"""The Reflex app: pages from the route table, plus plain HTTP routes such as `/health`."""

from __future__ import annotations

import reflex as rx

from learning_app.health_api import build_http_api
from learning_app.pages.home import CatalogueState, home_page

app = rx.App(
    api_transformer=build_http_api(),
    head_components=[rx.el.meta(name="color-scheme", content="light dark")],
)
app.add_page(home_page, route="/", title="Courses · Learning App", on_load=CatalogueState.load)
