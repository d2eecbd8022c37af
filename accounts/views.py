"""Sign-in, sign-out, one's own password, API tokens, and the administrators' account pages
and audit log."""
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from extensions import db
from web.limits import rate_limited
from web.pagination import paginate
from web.params import page_arg

from . import services
from .audit import action_label, detail_lines
from .access import ADMIN, SIGNED_IN, allow, public, scope_path
from .forms import ROLE_NAMES, ActionForm, ChangePasswordForm, LoginForm, TokenCreateForm, UserCreateForm
from .models import AuditLog, User

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no host) may follow a sign-in."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("emulation.dashboard")


@bp.route("/login", methods=["GET", "POST"])
@public
@rate_limited("sign-in", "SIGN_INS_PER_MINUTE", methods=("POST",))
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    error, status, headers = None, 200, {}
    if form.validate_on_submit():
        result = services.authenticate(form.email.data, form.password.data, request.remote_addr)
        if result.user is not None:
            session.clear()  # a new session for the signed-in person (no fixation)
            login_user(result.user)
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")))
        error, status = result.error.render(), result.status
        if result.retry_after:
            headers["Retry-After"] = str(result.retry_after)
    return render_template("accounts/login.html", form=form, error=error), status, headers


@bp.post("/logout")
@allow(*SIGNED_IN)
def logout():
    form = ActionForm()
    if form.validate_on_submit():
        # Ended on the server first: should that fail (busy), the person is still signed in
        # and told to try again, rather than signed out here only.
        services.end_session(current_user.session_id)
        logout_user()
        session.clear()
        flash(_("You have signed out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@allow(*SIGNED_IN)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.new.data)
        except services.AccountError as exc:
            getattr(form, exc.field or "new").errors.append(exc.message.render())
        else:
            login_user(current_user._get_current_object())  # the session follows the new token
            flash(_("Your password has been changed."), "info")
            return redirect(url_for("emulation.dashboard"))
    return render_template("accounts/password.html", form=form)


def _users_page(form=None, *, created=None, reset=None):
    """The Accounts page. A password just made (``created``, ``reset``: (email, password)) is
    in this response only: never in the session cookie (a flash message would put it there),
    never in a cache."""
    accounts = db.session.scalars(select(User).order_by(User.email)).all()
    form = form or UserCreateForm(formdata=None)
    search = request.args.get("unit_q", "").strip()[:64]
    shown, total = _unit_picker(form, search)
    response = make_response(render_template(
        "accounts/users.html", form=form, accounts=accounts, created=created,
        reset=reset, action=ActionForm(), role_names=ROLE_NAMES, tokens_in_force=services.tokens_in_force(),
        unit_search=search, units_shown=shown, units_total=total))
    response.headers["Cache-Control"] = "no-store"
    return response


def _unit_picker(form: UserCreateForm, search: str) -> tuple[int, int]:
    """The unit list of the new account's form: the units of the signed-in person's subtree
    (matching ``search``), grouped by their branch of the tree. Returns (shown, matching)."""
    choices, total = services.unit_choices(scope_path(), search)
    groups: dict[str, list] = {_("No unit"): [("", _("none (not a unit manager)"))]}
    for c in choices:
        indent = "\u00a0\u00a0" * max(0, c.depth - 1)
        groups.setdefault(c.group or c.name, []).append((c.code, f"{indent}{c.name} ({c.code})"))
    chosen = form.unit_code.data
    if chosen and all(chosen != code for options in groups.values() for code, _label in options):
        groups[_("No unit")].append((chosen, chosen))  # sent back as it was typed, to be seen with its error
    form.unit_code.choices = groups
    return len(choices), total


@bp.route("/admin/users", methods=["GET", "POST"])
@allow(ADMIN)
def users():
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            user, password = services.create_user(form.email.data, form.role.data,
                                                  unit_code=form.unit_code.data or None, actor=current_user.email,
                                                  within=scope_path())
        except services.AccountError as exc:  # shown at the field it is about
            getattr(form, exc.field or "email").errors.append(exc.message.render())
        else:
            return _users_page(created=(user.email, password))
    return _users_page(form)


def _user_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id)


@bp.post("/admin/users/<int:user_id>/reset")
@allow(ADMIN)
def reset_password(user_id):
    user = _user_or_404(user_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("accounts.users"))
    password = services.reset_password(user, actor=current_user.email)
    return _users_page(reset=(user.email, password))


@bp.post("/admin/users/<int:user_id>/tokens/revoke")
@allow(ADMIN)
def revoke_tokens(user_id):
    """An administrator revokes every API token of an account."""
    user = _user_or_404(user_id)
    if ActionForm().validate_on_submit():
        count = services.revoke_tokens(user, actor=current_user.email)
        flash(_("API tokens of %(email)s revoked: %(count)d.", email=user.email, count=count), "info")
    return redirect(url_for("accounts.users"), 303)


@bp.post("/admin/users/<int:user_id>/active")
@allow(ADMIN)
def set_active(user_id):
    user = _user_or_404(user_id)
    if ActionForm().validate_on_submit():
        active = request.form.get("active") == "1"
        try:
            services.set_active(user, active, actor=current_user.email)
        except services.AccountError as exc:
            flash(exc.message.render(), "error")
        else:
            flash(_("Account %(email)s enabled.", email=user.email) if active
                  else _("Account %(email)s disabled.", email=user.email), "info")
    return redirect(url_for("accounts.users"))


@bp.route("/account/tokens", methods=["GET", "POST"])
@allow(*SIGNED_IN)
def tokens():
    """The signed-in person's API tokens: make one (shown once), see and revoke them."""
    longest = services.token_days()
    form = TokenCreateForm()
    if request.method == "GET":
        form.days.data = longest
    made = None
    if form.validate_on_submit():
        try:
            record, made = services.create_token(current_user, form.name.data, form.days.data)
        except services.AccountError as exc:
            form.days.errors.append(exc.message.render())
    response = make_response(render_template("accounts/tokens.html", form=form, longest=longest,
                                             tokens=services.tokens_of(current_user), made=made,
                                             revoke=ActionForm()))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/account/tokens/<int:token_id>/revoke")
@allow(*SIGNED_IN)
def revoke_token(token_id):
    from .models import ApiToken

    record = db.session.get(ApiToken, token_id)
    if record is None or record.user_id != current_user.id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.revoke_token(record, actor=current_user.email)
    flash(_("Token revoked: it opens nothing any more."), "info")
    return redirect(url_for("accounts.tokens"), 303)


@bp.get("/admin/audit")
@allow(ADMIN)
def audit_log():
    """Who did what, when: every entry, newest first, filtered by the start of its action."""
    action = request.args.get("action", "").strip()[:64]
    where = [AuditLog.action.startswith(action)] if action else []
    query = (sa.select(AuditLog.at, AuditLog.actor, AuditLog.action, AuditLog.target, AuditLog.details)
             .where(*where).order_by(AuditLog.id.desc()))
    page = paginate(query, sa.select(sa.func.count()).select_from(AuditLog).where(*where),
                 page_arg())
    actions = db.session.scalars(sa.select(AuditLog.action).distinct().order_by(AuditLog.action)).all()
    return render_template("accounts/audit_log.html", page=page, action=action, actions=actions,
                           action_label=action_label, detail_lines=detail_lines)
