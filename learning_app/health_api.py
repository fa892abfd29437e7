"""Plain HTTP routes served beside the Reflex app (`/health` for probes and load balancers), and
the security headers every backend response gets."""

from __future__ import annotations

import asyncio

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from learning_app.security_headers import SecurityHeadersMiddleware, security_headers
from learning_app.services.health import check_stores
from learning_app.settings import get_settings


async def health(_request: Request) -> JSONResponse:
    stores = await asyncio.to_thread(check_stores)
    ok = all(s.ok for s in stores)
    public = get_settings().is_production  # no versions or error texts for the whole internet
    body = {
        "status": "ok" if ok else "degraded",
        "stores": {
            s.store: {"ok": s.ok, "latency_ms": s.latency_ms} if public else s.as_dict()
            for s in stores
        },
    }
    return JSONResponse(body, status_code=200 if ok else 503)


def build_http_api() -> Starlette:
    """The app Reflex mounts itself into (`api_transformer`): its middleware therefore wraps
    Reflex's routes and, in production, the built frontend too."""
    return Starlette(
        routes=[Route("/health", health, methods=["GET"])],
        middleware=[
            Middleware(SecurityHeadersMiddleware, headers=security_headers(get_settings()))
        ],
    )
