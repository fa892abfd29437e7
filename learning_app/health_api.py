"""Plain HTTP routes served beside the Reflex app (`/health` for probes and load balancers,
`/files/<id>` for course pictures that lessons show, `/session/start` and `/session/end` that set
and clear the HttpOnly session cookie), and the security headers every backend response gets."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import iterate_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from learning_app.adapters.postgres import session_scope
from learning_app.adapters.s3_store import get_s3
from learning_app.security_headers import SecurityHeadersMiddleware, security_headers
from learning_app.services.accounts import cookie_handoff
from learning_app.services.accounts.sessions import SESSION_COOKIE, SESSION_TTL_SECONDS
from learning_app.services.errors import DomainError
from learning_app.services.health import check_stores, details_allowed
from learning_app.services.material import documents
from learning_app.settings import get_settings
from learning_app.upload_guard import UploadHandlerGuard


async def health(request: Request) -> JSONResponse:
    """200 `{"status": "ok"}` or 503 `{"status": "degraded"}` for anyone (a load balancer needs
    only the code); each store's status, latency and detail too for a signed-in admin."""
    stores = await asyncio.to_thread(check_stores)
    ok = all(s.ok for s in stores)
    body: dict[str, object] = {"status": "ok" if ok else "degraded"}
    if await _admin_asking(request):
        body["stores"] = {s.store: s.as_dict() for s in stores}
    return JSONResponse(body, status_code=200 if ok else 503)


async def _admin_asking(request: Request) -> bool:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return False

    def allowed() -> bool:
        with session_scope() as session:
            return details_allowed(session, token=token)

    try:
        return await asyncio.to_thread(allowed)
    except Exception:
        # A store that resolves sessions is down: no details then (`learning-app health` prints
        # them), and the probe must still answer.
        return False


async def course_file(request: Request) -> Response:
    """A course file for whoever may read it (the session cookie says who), streamed from S3
    with `nosniff` (`documents.open_course_file`). Lessons embed pictures as `/files/<id>`."""
    token = request.cookies.get(SESSION_COOKIE) or None
    document_id = request.path_params["document_id"]

    def open_file() -> documents.ServedFile:
        with session_scope() as session:
            return documents.open_course_file(
                session, token=token, document_id=document_id, s3=get_s3()
            )

    try:
        served = await asyncio.to_thread(open_file)
    except documents.StorageUnavailable as exc:
        return PlainTextResponse(str(exc), status_code=503)
    except DomainError:
        return PlainTextResponse("Not found", status_code=404)
    return StreamingResponse(iterate_in_threadpool(served.chunks), headers=served.headers)


SIGN_IN_UNAVAILABLE = "Signing in is unavailable right now. Try again in a moment."
SIGN_IN_EXPIRED = "This sign-in has expired or was already used. Sign in again."


async def start_session(request: Request) -> Response:
    """`POST /session/start` (`code`), posted by the page that signed in: sets the HttpOnly
    cookie of the session the code was handed off for (`cookie_handoff`). Only the app's own
    pages may post it, so no other site can sign a visitor in to an account of its choosing;
    a used, stale or forged code sets nothing."""
    if not _from_own_page(request):
        return PlainTextResponse("Forbidden", status_code=403)
    form = await request.form()
    try:
        token = await asyncio.to_thread(cookie_handoff.redeem, form.get("code"))
    except DomainError:
        return PlainTextResponse(SIGN_IN_UNAVAILABLE, status_code=503)
    if token is None:
        return PlainTextResponse(SIGN_IN_EXPIRED, status_code=400)
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.set_cookie(SESSION_COOKIE, token, max_age=SESSION_TTL_SECONDS, **_cookie_flags())
    return response


async def end_session(request: Request) -> Response:
    """`POST /session/end`, posted by the page that signed out (its session ended server-side
    first): clears the session cookie. Only the app's own pages may post it, so no other site
    can sign a visitor out."""
    if not _from_own_page(request):
        return PlainTextResponse("Forbidden", status_code=403)
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.delete_cookie(SESSION_COOKIE, **_cookie_flags())
    return response


def _from_own_page(request: Request) -> bool:
    """Whether a post came from one of the app's own pages: browsers send its Origin."""
    return request.headers.get("origin", "") in get_settings().allowed_origins


def _cookie_flags() -> dict[str, Any]:
    return {
        "path": "/",
        "httponly": True,
        "samesite": "lax",
        "secure": get_settings().served_over_https,
    }


def build_http_api(upload_handlers: Iterable[str] = ()) -> Starlette:
    """The app Reflex mounts itself into (`api_transformer`): its middleware therefore wraps
    Reflex's routes and, in production, the built frontend too. `upload_handlers`: the full
    names of the only events `POST /_upload` may run."""
    return Starlette(
        routes=[
            Route("/health", health, methods=["GET"]),
            Route("/files/{document_id}", course_file, methods=["GET"]),
            Route("/session/start", start_session, methods=["POST"]),
            Route("/session/end", end_session, methods=["POST"]),
        ],
        middleware=[
            Middleware(SecurityHeadersMiddleware, headers=security_headers(get_settings())),
            Middleware(UploadHandlerGuard, handlers=frozenset(upload_handlers)),
        ],
    )
