"""All SQLModel tables of the app. Importing this package fills `SQLModel.metadata` (Alembic's
`env.py` and the tests do); code imports each table from the module that defines it.

One module per product area; `base` holds the shared conventions (naming convention, UUID
keys, timestamps, native enums) and must be imported first, which the table modules do.
"""

from learning_app.models import (  # noqa: F401 - importing each module registers its tables
    analytics,
    base,
    chunks,
    content,
    documents,
    exams,
    progress,
    questions,
    review,
    search,
    sharing,
    teaching,
    tutor,
    users,
)
