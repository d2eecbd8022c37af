"""Staff accounts and the record of failed sign-ins (for throttling)."""
import secrets

import sqlalchemy as sa
from flask_login import UserMixin

from emulation.models import NAME_LENGTH, utcnow
from extensions import db

ADMIN, MANAGER, HOME_AFFAIRS, VIEWER = "admin", "manager", "home_affairs", "viewer"
ROLES = (ADMIN, MANAGER, HOME_AFFAIRS, VIEWER)


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    """A staff account. Managers are bound to one unit and see only its subtree."""

    __tablename__ = "users"
    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(sa.String(NAME_LENGTH), nullable=False, unique=True)
    password_hash = sa.Column(sa.String(255), nullable=False)
    role = sa.Column(sa.String(16), nullable=False)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), index=True)
    active = sa.Column(sa.Boolean, nullable=False, default=True, server_default=sa.true())
    # Set when an admin (or the command line) gave a temporary password.
    must_change_password = sa.Column(sa.Boolean, nullable=False, default=False, server_default=sa.false())
    # What the session cookie carries instead of the id: replaced on every password change,
    # reset or disabling, which signs the account out everywhere.
    session_token = sa.Column(sa.String(64), nullable=False, unique=True, default=new_session_token)
    created_at = sa.Column(sa.DateTime(timezone=True), nullable=False, default=utcnow)
    last_login_at = sa.Column(sa.DateTime(timezone=True))

    unit = db.relationship("Unit")

    __table_args__ = (sa.CheckConstraint(sa.column("role").in_(ROLES), name="role"),)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return bool(self.active)

    def get_id(self) -> str:  # Flask-Login: the session holds the token, not the id
        return self.session_token

    @property
    def province_wide(self) -> bool:
        """Every role but ``manager`` sees the whole province (read-only or not)."""
        return self.role != MANAGER

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class LoginFailure(db.Model):
    """One failed sign-in; recent ones throttle further attempts for that email and address."""

    __tablename__ = "login_failures"
    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(sa.String(NAME_LENGTH), nullable=False, index=True)
    address = sa.Column(sa.String(64), nullable=False, index=True)
    at = sa.Column(sa.DateTime(timezone=True), nullable=False, default=utcnow, index=True)


TOKEN_PREFIX = "tds_"


class ApiToken(db.Model):
    """A bearer token of the JSON API, acting for its account (same role, same unit scope).
    Only a SHA-256 of the token is kept: it is shown once, when made."""

    __tablename__ = "api_tokens"
    id = sa.Column(sa.Integer, primary_key=True)
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    name = sa.Column(sa.String(NAME_LENGTH), nullable=False)
    token_hash = sa.Column(sa.String(64), nullable=False, unique=True)
    hint = sa.Column(sa.String(12), nullable=False)  # the first characters, to tell tokens apart
    created_at = sa.Column(sa.DateTime(timezone=True), nullable=False, default=utcnow)
    last_used_at = sa.Column(sa.DateTime(timezone=True))
    revoked_at = sa.Column(sa.DateTime(timezone=True))

    user = db.relationship("User")
