"""The error every `learning-app` command raises for a failure the user can act on.

Its own module so the command modules import it at the top, and so there is one class however
the CLI is started: under `python -m learning_app.cli` the entry module runs as `__main__`, a
second copy of `learning_app.cli` whose own classes the other command modules never see.
"""

from __future__ import annotations


class CliError(Exception):
    """A failure whose message is the one line the user sees."""
