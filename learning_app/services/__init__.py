"""The domain: plain functions taking a DB session and adapters. No Reflex import."""
