"""Showing Markdown that `services.markdown_render.render_markdown` has already sanitised.

Not `rx.markdown`: it renders in the browser with rehype-raw enabled (`use_raw=True` by
default in reflex-components-markdown 0.10), so raw HTML in a lesson would reach the page.
Here the HTML was rendered and sanitised on the server, and only that HTML is inserted.
"""

from __future__ import annotations

import reflex as rx

# Loaded on every page by the app (`rx.App(stylesheets=...)`).
MARKDOWN_STYLESHEET = "/markdown.css"


def rendered_markdown(safe_html: rx.Var[str], **props: object) -> rx.Component:
    """HTML from `render_markdown`, styled by the Markdown stylesheet. Never pass anything else
    here."""
    return rx.html(safe_html, class_name="markdown-body", **props)
