"""Who may open which page, and which units a signed-in person may see.

Every view declares its audience with :func:`allow` (roles) or :func:`public`. A check
before every request enforces it and **fails closed**: a view that declares nothing is
refused to everyone, so a forgotten declaration cannot leak a page. Unit scope (a
manager sees only their unit's subtree) is checked by the services' queries through
:func:`scope_path` and by views through :func:`require_unit_in_scope`.

People follow one rule, :func:`sees_person` (and its SQL form :func:`people_within`, which
the staff queries use): a manager sees a person only when the person's **own** unit is in
their subtree, whatever page, API answer or export leads to them (a household, a mentor,
a mentee). Others in scope are counted, never named.
"""
import sqlalchemy as sa
from flask import abort, current_app, request
from flask_login import LoginManager, current_user

from .models import ADMIN, HOME_AFFAIRS, MANAGER, ROLES, VIEWER

PUBLIC = "public"
SIGNED_IN = frozenset(ROLES)
STAFF = frozenset((ADMIN, MANAGER, HOME_AFFAIRS))  # may see people's records
EDITORS = frozenset((ADMIN, MANAGER))  # may change data (managers within their subtree)

login_manager = LoginManager()
login_manager.login_view = "accounts.login"
login_manager.session_protection = "strong"
# Shown on the sign-in page after a redirect; translated through the lazy message below.
login_manager.login_message_category = "info"


def allow(*roles: str):
    """Declare the roles that may open a view (``@allow(ADMIN, MANAGER)``)."""
    unknown = set(roles) - set(ROLES)
    if unknown or not roles:
        raise ValueError(f"unknown roles {sorted(unknown)}")

    def decorate(view):
        view.allowed_roles = frozenset(roles)
        return view

    return decorate


def public(view):
    """Declare a view open to everyone, signed in or not."""
    view.allowed_roles = PUBLIC
    return view


def allowed_roles(view) -> frozenset | str | None:
    return getattr(view, "allowed_roles", None)


def init_access(app) -> None:
    from flask_babel import lazy_gettext as _l

    login_manager.init_app(app)
    login_manager.login_message = _l("Please sign in to open this page.")
    app.before_request(_enforce)
    app.extensions["may_open"] = may_open  # the menu (web.navigation) shows these pages only


def may_open(view) -> bool:
    """Whether the person of this request may open ``view`` (by its declaration)."""
    roles = allowed_roles(view)
    if roles is None:
        return False
    return roles == PUBLIC or (current_user.is_authenticated and current_user.role in roles)


API_BLUEPRINT = "api"


def _is_api() -> bool:
    return request.blueprint == API_BLUEPRINT


@login_manager.user_loader
def _load_user(session_id: str):
    """The account of the staff session the cookie names, while that session lasts."""
    if _is_api():  # the API knows bearer tokens only: a session cookie opens nothing there
        return None
    from .services import user_of_session

    return user_of_session(session_id)


@login_manager.request_loader
def _load_user_from_bearer(req):
    """``Authorization: Bearer <token>`` on the API: the token's account."""
    if not _is_api():
        return None
    scheme, _, token = req.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    from .services import user_of_token

    return user_of_token(token.strip())


def _enforce():
    """The access check run before every request (see the module docstring)."""
    if request.endpoint is None:  # no route matched: let the 404/405 handlers answer
        return None
    if request.endpoint == "static":
        return None
    view = current_app.view_functions[request.endpoint]
    roles = allowed_roles(view)
    if roles == PUBLIC:
        return None
    if roles is None:
        current_app.logger.error("view %s declares no audience; refused", request.endpoint)
        abort(403)
    if not current_user.is_authenticated:
        if _is_api():
            abort(401)
        return login_manager.unauthorized()
    if current_user.role not in roles:
        abort(403)
    if current_user.must_change_password and _is_api():
        abort(403)
    if current_user.must_change_password and request.endpoint not in ("accounts.change_password", "accounts.logout"):
        from flask import redirect, url_for

        return redirect(url_for("accounts.change_password"))
    return None


def scope_path() -> str | None:
    """The materialised path of the signed-in manager's unit (``/1/7/``), or None when the
    person sees the whole province."""
    if not current_user.is_authenticated:
        return None
    if current_user.role != MANAGER:
        return None
    return current_user.unit.path


def in_scope(unit) -> bool:
    path = scope_path()
    return path is None or unit.path.startswith(path)


def require_unit_in_scope(unit) -> None:
    """403 unless the signed-in person may see ``unit`` (and so its people and households)."""
    if not in_scope(unit):
        abort(403)


def sees_person(person) -> bool:
    """Whether the signed-in staff member may see ``person``: their own unit is in scope."""
    return in_scope(person.unit)


def require_person_in_scope(person) -> None:
    """403 unless the signed-in staff member may see ``person`` (:func:`sees_person`)."""
    if not sees_person(person):
        abort(403)


def people_within(unit_path, scope: str | None):
    """:func:`sees_person` as a SQL condition, for queries that list people: ``unit_path``
    is the path column of each person's own unit, ``scope`` a :func:`scope_path` (None:
    the whole province)."""
    return sa.true() if scope is None else unit_path.startswith(scope)


__all__ = ["ADMIN", "MANAGER", "HOME_AFFAIRS", "VIEWER", "PUBLIC", "SIGNED_IN", "STAFF", "EDITORS",
           "allow", "public", "allowed_roles", "scope_path", "in_scope", "require_unit_in_scope", "sees_person",
           "require_person_in_scope", "people_within", "login_manager"]
