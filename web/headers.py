"""Headers on every response: the security policy, caching of staff pages, the language cookie."""
from flask import current_app, request
from flask_login import current_user

LANGUAGE_COOKIE = "lang"


CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                           "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
# No page uses a device or a powerful browser feature: deny them all, to the page and to anything it embeds.
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "ambient-light-sensor", "autoplay", "battery", "bluetooth", "camera", "display-capture",
    "document-domain", "encrypted-media", "fullscreen", "gamepad", "geolocation", "gyroscope", "hid",
    "idle-detection", "interest-cohort", "local-fonts", "magnetometer", "microphone", "midi", "payment",
    "picture-in-picture", "publickey-credentials-get", "screen-wake-lock", "serial", "sync-xhr", "usb",
    "web-share", "xr-spatial-tracking"))


def _after_request(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:  # over HTTPS (directly, or behind a proxy trusted with TRUST_PROXY)
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if current_user.is_authenticated:
        # Staff pages hold personal data: never keep them in a shared cache.
        response.headers.setdefault("Cache-Control", "no-store")
    wanted = request.args.get("lang")
    if wanted in current_app.config["LANGUAGES"] and request.cookies.get(LANGUAGE_COOKIE) != wanted:
        response.set_cookie(LANGUAGE_COOKIE, wanted, max_age=365 * 24 * 3600, samesite="Lax",
                            secure=request.is_secure, httponly=True)
    return response


def init_headers(app) -> None:
    app.after_request(_after_request)
