"""Reflex configuration. Store URLs come from learning_app/settings.py, not from here."""

import reflex as rx

from learning_app.settings import get_settings

_settings = get_settings()

config = rx.Config(
    app_name="learning_app",
    # Reflex's own Redis state manager (several workers) is switched on by REFLEX_REDIS_URL;
    # the app's own Redis (sessions, tokens, rate limits) is REDIS_URL in settings.
    telemetry_enabled=False,
    show_built_with_reflex=False,
    deploy_url=_settings.public_base_url,
    # Only the app's own pages may call the backend with the user's cookie or open its
    # websocket (Reflex's default, "*", let any site do both). REFLEX_CORS_ALLOWED_ORIGINS
    # (comma-separated) replaces this list.
    cors_allowed_origins=list(_settings.allowed_origins),
    # With Redis state, the longest a tab's state lock is held: by a worker serving the tab
    # from memory (`REFLEX_OPLOCK_HOLD_TIME`, 15 s in production) or by one event. Reflex
    # refuses a hold that is not shorter than this, and its default is 10 s.
    redis_lock_expiration=20_000,
    plugins=[
        rx.plugins.SitemapPlugin(),
        rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="indigo", radius="medium")),
    ],
)
