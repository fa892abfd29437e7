"""Durable background work on Procrastinate (jobs live in Postgres; no extra server).

Services enqueue with `defer_in_transaction`, inside the transaction of the change that causes
the work, so a job exists exactly when the change commits. Workers run in every app backend
process (a lifespan task) and, for more capacity, as `learning-app worker`.
"""
