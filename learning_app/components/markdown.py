"""Showing Markdown that `services.markdown_render` has already rendered and sanitised.

Not `rx.markdown`: it renders in the browser with rehype-raw enabled (`use_raw=True` by
default in reflex-components-markdown 0.10), so raw HTML in a lesson would reach the page.
Here the HTML was rendered and sanitised on the server, and only that HTML is inserted.

Two shapes, matching the renderer's: `rendered_markdown` for a document or an answer
(`render_markdown`), `rendered_inline` for a card's or a citation's line (`render_inline`,
`render_excerpt`), optionally clamped to a few lines.
"""

from __future__ import annotations

import reflex as rx

# Loaded on every page by the app (`rx.App(stylesheets=...)`).
MARKDOWN_STYLESHEET = "/markdown.css"


def rendered_markdown(safe_html: rx.Var[str], **props: object) -> rx.Component:
    """HTML from `render_markdown`, styled by the Markdown stylesheet. Never pass anything else
    here."""
    return rx.html(safe_html, class_name="markdown-body", **props)


def rendered_inline(safe_html: rx.Var[str], *, lines: int = 0, **props: object) -> rx.Component:
    """HTML from `render_inline` or `render_excerpt` (inline elements only), styled as small
    text; `lines` > 0 cuts it to that many lines with an ellipsis (the whole text stays in the
    page for screen readers and search). A `div`, so never put it inside a text (`<p>`)."""
    clamp = (
        {
            "display": "-webkit-box",
            "-webkit-line-clamp": str(lines),
            "-webkit-box-orient": "vertical",
            "overflow": "hidden",
        }
        if lines > 0
        else {}
    )
    return rx.html(safe_html, class_name="markdown-body markdown-inline", style=clamp, **props)
