"""One thin module per store or provider, each configured from settings."""
