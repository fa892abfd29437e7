"""Reflex states shared across pages."""
