"""The local development stack: PostgreSQL + pgvector, Redis, Typesense, S3 and an SMTP sink.

Every server runs from a PyPI wheel (or Debian's redis-server), binds 127.0.0.1 only and keeps
its data, pidfile and log under `settings.stack_dir`. Production uses none of this: it sets the
*_URL settings of managed services instead.

    from learning_app.stack import launcher
    print(launcher.format_status(launcher.up(settings)))

Server clients (psycopg, redis, boto3) are imported lazily, so that importing this package (as
the mail sink process does) stays cheap.
"""
