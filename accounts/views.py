"""Sign-in, sign-out, one's own password, and the administrators' account pages."""
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from extensions import db

from . import services
from .access import ADMIN, SIGNED_IN, allow, public
from .forms import ROLE_NAMES, ActionForm, ChangePasswordForm, LoginForm, TokenCreateForm, UserCreateForm
from .models import User

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
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    error, status = None, 200
    if form.validate_on_submit():
        result = services.authenticate(form.email.data, form.password.data, request.remote_addr)
        if result.user is not None:
            session.clear()  # a new session for the signed-in person (no fixation)
            login_user(result.user)
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")))
        error, status = result.error.render(), result.status
    return render_template("accounts/login.html", form=form, error=error), status


@bp.post("/logout")
@allow(*SIGNED_IN)
def logout():
    form = ActionForm()
    if form.validate_on_submit():
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


@bp.route("/admin/users", methods=["GET", "POST"])
@allow(ADMIN)
def users():
    form = UserCreateForm()
    created = None
    if form.validate_on_submit():
        try:
            user, password = services.create_user(form.email.data, form.role.data,
                                                  unit_code=form.unit_code.data or None, actor=current_user.email)
        except services.AccountError as exc:
            form.email.errors.append(exc.message.render())
        else:
            created = (user.email, password)
            form = UserCreateForm(formdata=None)
    accounts = db.session.scalars(select(User).order_by(User.email)).all()
    return render_template("accounts/users.html", form=form, accounts=accounts, created=created,
                           action=ActionForm(), role_names=ROLE_NAMES)


def _user_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id)


@bp.post("/admin/users/<int:user_id>/reset")
@allow(ADMIN)
def reset_password(user_id):
    user = _user_or_404(user_id)
    if ActionForm().validate_on_submit():
        password = services.reset_password(user, actor=current_user.email)
        flash(_("New temporary password for %(email)s: %(password)s (shown once; the account must change it at "
                "the next sign-in).", email=user.email, password=password), "secret")
    return redirect(url_for("accounts.users"))


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
    form = TokenCreateForm()
    made = None
    if form.validate_on_submit():
        record, made = services.create_token(current_user, form.name.data)
    return render_template("accounts/tokens.html", form=form, tokens=services.tokens_of(current_user),
                           made=made, revoke=ActionForm())


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
