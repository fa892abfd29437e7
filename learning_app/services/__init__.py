"""The domain: plain functions taking a DB session and adapters. No Reflex import."""

# Registers the session listener that enqueues search sync jobs with every committed change.
from learning_app.services.search import outbox as _search_outbox  # noqa: F401
