"""Account rules: creating accounts, signing in (with throttling), passwords, disabling."""
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select
from sqlalchemy.exc import OperationalError
from werkzeug.security import check_password_hash, generate_password_hash

from emulation.i18n import N_, Message
from emulation.models import AuditLog, Unit
from extensions import db, session_for_writing

from .models import MANAGER, ROLES, LoginFailure, User, new_session_token

MIN_PASSWORD_LENGTH = 10
# Throttling: this many failures within the window lock further attempts for the rest of it.
FAILURES_PER_EMAIL = 5
FAILURES_PER_ADDRESS = 20
FAILURE_WINDOW = timedelta(minutes=15)
# Checked against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


class AccountError(Exception):
    """A request about an account cannot be carried out; ``message`` says why."""

    def __init__(self, msgid: str, *, field: str | None = None, **params):
        self.message = Message(msgid, params)
        self.field = field  # the form field the problem belongs to, when there is one
        super().__init__(self.message.render())


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def temporary_password() -> str:
    """A random password for a new or reset account (the person changes it on first sign-in)."""
    return secrets.token_urlsafe(12)


def check_password_strength(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(N_("The password must have at least %(n)d characters."), field="new",
                           n=MIN_PASSWORD_LENGTH)


def _audit(actor: str, action: str, target: str, **details) -> None:
    db.session.add(AuditLog(actor=actor, action=action, target=target, details=details or None))


def create_user(email: str, role: str, *, unit_code: str | None = None, password: str | None = None,
                actor: str, must_change_password: bool = True) -> tuple[User, str]:
    """Create an account; returns it with its password (a temporary one unless given)."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 255 or any(c.isspace() for c in email):
        raise AccountError(N_("\"%(email)s\" is not an email address."), email=email)
    if role not in ROLES:
        raise AccountError(N_("Unknown role \"%(role)s\"; one of: %(roles)s."), role=role, roles=", ".join(ROLES))
    unit = None
    if role == MANAGER and not unit_code:
        raise AccountError(N_("A manager account needs a unit (--unit CODE)."))
    if unit_code:
        if role != MANAGER:
            raise AccountError(N_("Only a manager account is bound to a unit."))
        unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            raise AccountError(N_("Unknown unit \"%(value)s\"."), value=unit_code)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError(N_("An account with the email %(email)s already exists."), email=email)
    if password is None:
        password = temporary_password()
    else:
        check_password_strength(password)
    user = User(email=email, role=role, unit=unit, password_hash=generate_password_hash(password),
                must_change_password=must_change_password)
    db.session.add(user)
    _audit(actor, "user.create", email, role=role, unit=unit_code)
    db.session.commit()
    return user, password


@dataclass
class SignIn:
    """The outcome of a sign-in: the user, or why not with the HTTP status to answer."""
    user: User | None
    error: Message | None = None
    status: int = 200


def authenticate(email: str, password: str, address: str, *, now: datetime | None = None) -> SignIn:
    """Check a sign-in. Refused while the email or the address has too many recent failures."""
    now = now or datetime.now(timezone.utc)
    email = normalise_email(email)
    address = (address or "?")[:64]
    session_for_writing()  # it reads, then writes: it takes its turn as a writer from the start
    since = now - FAILURE_WINDOW
    recent = lambda column, value: db.session.scalar(  # noqa: E731
        select(func.count()).select_from(LoginFailure).where(column == value, LoginFailure.at >= since))
    if recent(LoginFailure.email, email) >= FAILURES_PER_EMAIL or recent(LoginFailure.address, address) >= FAILURES_PER_ADDRESS:
        return SignIn(None, Message(N_("Too many failed sign-ins. Try again in %(minutes)d minutes."),
                                    dict(minutes=int(FAILURE_WINDOW.total_seconds() // 60))), 429)
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        ok = False
    else:
        ok = check_password_hash(user.password_hash, password or "")
    if not ok or not user.active:
        db.session.add(LoginFailure(email=email, address=address, at=now))
        db.session.commit()
        if ok and not user.active:
            return SignIn(None, Message(N_("This account has been disabled. Ask an administrator.")), 403)
        return SignIn(None, Message(N_("Wrong email or password.")), 401)
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == email))
    user.last_login_at = now
    _audit(email, "user.sign_in", email)
    db.session.commit()
    return SignIn(user)


def change_password(user: User, current: str, new: str) -> None:
    if not check_password_hash(user.password_hash, current or ""):
        raise AccountError(N_("The current password is wrong."), field="current")
    check_password_strength(new)
    if current == new:
        raise AccountError(N_("The new password must differ from the current one."), field="new")
    user.password_hash = generate_password_hash(new)
    user.must_change_password = False
    user.session_token = new_session_token()
    _audit(user.email, "user.change_password", user.email)
    db.session.commit()


def reset_password(user: User, *, actor: str) -> str:
    """Give ``user`` a new temporary password (returned) and sign them out everywhere."""
    password = temporary_password()
    user.password_hash = generate_password_hash(password)
    user.must_change_password = True
    user.session_token = new_session_token()
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == user.email))
    _audit(actor, "user.reset_password", user.email)
    db.session.commit()
    return password


def set_active(user: User, active: bool, *, actor: str) -> None:
    """Disable (signing out everywhere) or enable an account. Nobody disables themselves."""
    if not active and actor == user.email:
        raise AccountError(N_("You cannot disable your own account."))
    user.active = active
    if not active:
        user.session_token = new_session_token()
    _audit(actor, "user.enable" if active else "user.disable", user.email)
    db.session.commit()


def set_demo_password(email: str, role: str, password: str, unit_code: str | None = None) -> User:
    """Create or reset a demo account with a known password (the demo province only)."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        user, _ = create_user(email, role, unit_code=unit_code, password=password, actor="demo",
                              must_change_password=False)
        return user
    user.password_hash = generate_password_hash(password)
    user.active = True
    user.must_change_password = False
    user.session_token = new_session_token()
    db.session.commit()
    return user


# ----------------------------------------------------------------------------- API tokens

def _token_hash(token: str) -> str:
    import hashlib

    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(user: User, name: str) -> tuple["ApiToken", str]:
    """A new API token for ``user``; the token itself is returned once and never kept."""
    from .models import TOKEN_PREFIX, ApiToken

    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(user_id=user.id, name=name.strip()[:255] or "API", token_hash=_token_hash(token),
                      hint=token[:10])
    db.session.add(record)
    _audit(user.email, "token.create", user.email, name=record.name, hint=record.hint)
    db.session.commit()
    return record, token


def revoke_token(record: "ApiToken", *, actor: str) -> None:
    if record.revoked_at is None:
        record.revoked_at = datetime.now(timezone.utc)
        _audit(actor, "token.revoke", record.user.email, name=record.name, hint=record.hint)
        db.session.commit()


def user_of_token(token: str) -> User | None:
    """The active account a bearer token acts for (None for an unknown or revoked token)."""
    from .models import ApiToken

    record = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token),
                                                      ApiToken.revoked_at.is_(None)))
    if record is None or not record.user.active:
        return None
    now = datetime.now(timezone.utc)
    last = record.last_used_at
    if last is None or now - (last if last.tzinfo else last.replace(tzinfo=timezone.utc)) > timedelta(minutes=5):
        record.last_used_at = now  # at most one write every five minutes per token
        try:
            db.session.commit()
        except OperationalError:  # the database is busy (a long import on SQLite): noted next time
            db.session.rollback()
    return record.user


def tokens_of(user: User) -> list["ApiToken"]:
    from .models import ApiToken

    return db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                              .order_by(ApiToken.created_at.desc())).all()
