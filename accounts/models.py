"""Staff accounts, their sessions and API tokens, the record of sign-ins (for throttling), and
the audit log of who did what.

A manager's unit is a foreign key to ``units`` and a relationship by name (``"Unit"``): the
accounts package does not import the campaign's domain."""
import hashlib
import secrets
from datetime import timezone

import sqlalchemy as sa
from flask_login import UserMixin

from extensions import db, utcnow

ADMIN, MANAGER, HOME_AFFAIRS, VIEWER = "admin", "manager", "home_affairs", "viewer"
ROLES = (ADMIN, MANAGER, HOME_AFFAIRS, VIEWER)
TEXT_LENGTH = 255  # emails, the actor and target of an audit entry


def new_secret() -> str:
    """A random id for a session (sent in its cookie, kept here only as a hash)."""
    return secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    """What is stored of a session id or an API token: its SHA-256."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class User(UserMixin, db.Model):
    """A staff account. Managers are bound to one unit and see only its subtree."""

    __tablename__ = "users"
    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(sa.String(TEXT_LENGTH), nullable=False, unique=True)
    password_hash = sa.Column(sa.String(255), nullable=False)
    role = sa.Column(sa.String(16), nullable=False)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), index=True)
    active = sa.Column(sa.Boolean, nullable=False, default=True, server_default=sa.true())
    # Set when an admin (or the command line) gave a temporary password.
    must_change_password = sa.Column(sa.Boolean, nullable=False, default=False, server_default=sa.false())
    created_at = sa.Column(sa.DateTime(timezone=True), nullable=False, default=utcnow)
    last_login_at = sa.Column(sa.DateTime(timezone=True))
    # No longer read (sessions are StaffSession rows now). Kept: dropping a UNIQUE column on
    # SQLite means recreating the table, which its foreign keys make unsafe on a live database.
    session_token = sa.Column(sa.String(64), nullable=False, unique=True, default=new_secret)

    unit = db.relationship("Unit")

    __table_args__ = (sa.CheckConstraint(sa.column("role").in_(ROLES), name="role"),)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return bool(self.active)

    # The id of the staff session this request runs in (set by the services when it starts
    # or is loaded; not a column): what the session cookie carries instead of the user's id.
    session_id = None  # str

    def get_id(self) -> str | None:  # Flask-Login
        return self.session_id

    @property
    def province_wide(self) -> bool:
        """Every role but ``manager`` sees the whole province (read-only or not)."""
        return self.role != MANAGER

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class StaffSession(db.Model):
    """A signed-in browser session. Its cookie carries a random id, kept here as a SHA-256;
    signing out deletes the row, so a copy of the cookie opens nothing afterwards. A
    password change or reset, or disabling the account, deletes all of the account's."""

    __tablename__ = "staff_sessions"
    id = sa.Column(sa.Integer, primary_key=True)
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    token_hash = sa.Column(sa.String(64), nullable=False, unique=True)
    # The absolute limit (SESSION_HOURS) counts from here, whatever the activity.
    created_at = sa.Column(sa.DateTime(timezone=True), nullable=False, default=utcnow, index=True)

    user = db.relationship("User")


class SignInAddress(db.Model):
    """An address an account has signed in from: attempts from it are spared the slowing
    that failures from elsewhere put on the account (accounts.throttle)."""

    __tablename__ = "sign_in_addresses"
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    address = sa.Column(sa.String(64), primary_key=True)
    last_at = sa.Column(sa.DateTime(timezone=True), nullable=False, default=utcnow)


class LoginFailure(db.Model):
    """One failed sign-in; recent ones slow further attempts for that email and address."""

    __tablename__ = "login_failures"
    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(sa.String(TEXT_LENGTH), nullable=False, index=True)
    address = sa.Column(sa.String(64), nullable=False, index=True)
    at = sa.Column(sa.DateTime(timezone=True), nullable=False, default=utcnow, index=True)


TOKEN_PREFIX = "tds_"


class ApiToken(db.Model):
    """A bearer token of the JSON API, acting for its account (same role, same unit scope).
    Only a SHA-256 of the token is kept: it is shown once, when made."""

    __tablename__ = "api_tokens"
    id = sa.Column(sa.Integer, primary_key=True)
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    name = sa.Column(sa.String(TEXT_LENGTH), nullable=False)
    token_hash = sa.Column(sa.String(64), nullable=False, unique=True)
    hint = sa.Column(sa.String(12), nullable=False)  # the first characters, to tell tokens apart
    created_at = sa.Column(sa.DateTime(timezone=True), nullable=False, default=utcnow)
    last_used_at = sa.Column(sa.DateTime(timezone=True))
    # Chosen when made, at most API_TOKEN_DAYS ahead; the token opens nothing afterwards.
    expires_at = sa.Column(sa.DateTime(timezone=True), nullable=False)
    revoked_at = sa.Column(sa.DateTime(timezone=True))

    user = db.relationship("User")

    @property
    def expired(self) -> bool:
        expires = self.expires_at if self.expires_at.tzinfo else self.expires_at.replace(tzinfo=timezone.utc)
        return expires <= utcnow()


class AuditLog(db.Model):
    """Who did what, when. Append-only."""

    __tablename__ = "audit_log"
    id = sa.Column(sa.Integer, primary_key=True)
    at = sa.Column(sa.DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    actor = sa.Column(sa.String(TEXT_LENGTH), nullable=False)
    action = sa.Column(sa.String(64), nullable=False)
    target = sa.Column(sa.String(TEXT_LENGTH))
    details = sa.Column(sa.JSON)
