"""`python -m learning_app.cli`: the same entry point as the `learning-app` script."""

from learning_app.cli.main import main

raise SystemExit(main())
