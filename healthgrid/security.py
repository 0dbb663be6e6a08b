"""Response headers: no third-party origin, no framing, no sniffing."""
from flask import Flask, request

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'none'")


def content_security_policy(app: Flask) -> str:
    """CSP, with the image origins a feature declares (the map's tile server, if set)."""
    images = " ".join(app.config.get("CSP_IMG_SOURCES", ()))
    return CSP.replace("img-src 'self' data:", f"img-src 'self' data: {images}") if images \
        else CSP


def init_security(app: Flask) -> None:
    # HEALTHGRID_HTTPS=true (config HTTPS): the site is served over HTTPS, if need be behind
    # a TLS-terminating proxy, so Flask cannot tell from the request; cookies must then
    # never travel over plain HTTP, and browsers are told to stay on HTTPS.
    if app.config.get("HTTPS"):
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True,
                          PREFERRED_URL_SCHEME="https")

    @app.after_request
    def _headers(response):
        response.headers["Content-Security-Policy"] = content_security_policy(app)
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        # Geolocation for this site only: a household is placed on the map at its door.
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(self)"
        if request.is_secure or app.config.get("HTTPS"):
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        # Health data must not linger in shared caches or on a shared phone's back button.
        if not request.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
