"""One module per route group; `ROUTES` is the table the app registers."""
