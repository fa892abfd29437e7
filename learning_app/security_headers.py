"""Security headers on every HTTP response the backend sends.

The middleware wraps the Starlette app that `api_transformer` hands to Reflex, and Reflex mounts
its own routes (`/ping`, `/_upload`, the Socket.IO polling path) and, in production, the built
frontend inside it (`reflex run --env prod` serves the static pages from the same app). So one
middleware covers `/health`, Reflex's routes and every page. Websocket scopes pass through
untouched: they carry no response headers a browser acts on.

It is plain ASGI rather than `BaseHTTPMiddleware`, which buffers bodies and breaks streaming.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from learning_app.settings import Settings

# Only directives that cannot break the Reflex frontend (its bundle uses inline scripts and
# styles, so a script-src policy would need nonces Reflex does not emit): no framing by other
# sites, no <base> hijacking, no plugins.
CONTENT_SECURITY_POLICY = "frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
# Features the app never uses, switched off for every page and anything injected into one.
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), magnetometer=(), "
    "gyroscope=(), accelerometer=()"
)
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(settings: Settings) -> dict[str, str]:
    """The headers every response gets; HSTS only when users reach the app over https
    (sent over plain http it would be ignored, and on localhost it would pin the browser)."""
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-Frame-Options": "DENY",
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "Permissions-Policy": PERMISSIONS_POLICY,
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if settings.served_over_https:
        headers["Strict-Transport-Security"] = HSTS
    return headers


class SecurityHeadersMiddleware:
    """Adds `headers` to each HTTP response that does not already set them."""

    def __init__(self, app: ASGIApp, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
