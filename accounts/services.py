"""Account rules: creating accounts, signing in (throttled: accounts.throttle), staff
sessions, passwords, disabling, API tokens."""
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from extensions import db, session_for_writing, utcnow
from web.i18n import N_, Message

from . import throttle
from .models import MANAGER, ROLES, AuditLog, LoginFailure, StaffSession, User, new_secret, secret_hash

MIN_PASSWORD_LENGTH = 10
# zxcvbn's estimate of the guesses a password needs: 3 means at least 10^8 (its scale is 0–4).
MIN_PASSWORD_SCORE = 3
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


# Why zxcvbn finds a password easy to guess, by the kind of pattern it found, most telling first.
_WEAKNESSES = (
    ("user_inputs", N_("The password contains your email address or the site's name. Choose another.")),
    ("passwords", N_("The password is one of the most commonly used ones, or is built on one. Choose another.")),
    ("repeat", N_("The password repeats characters or groups of them (like \"aaaa\" or \"abcabc\"). "
                  "Choose another.")),
    ("sequence", N_("The password is a sequence (like \"abcd\" or \"6543\"). Choose another.")),
    ("spatial", N_("The password is a row of keys on the keyboard (like \"qwerty\"). Choose another.")),
    ("date", N_("The password is mostly a date or a year. Choose another.")),
)
_TOO_EASY = N_("The password is too easy to guess. Use several uncommon words, or more characters.")


def check_password_strength(password: str, *, email: str | None = None) -> None:
    """Refuse a short password, and one that zxcvbn (Dropbox's estimator, with its lists of
    common passwords, words and names) expects to fall in fewer than 10^8 guesses: common,
    repetitive, sequences, keyboard rows, dates, the person's own email (ASVS 2.1.7)."""
    from zxcvbn import zxcvbn

    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(N_("The password must have at least %(n)d characters."), field="new",
                           n=MIN_PASSWORD_LENGTH)
    hints = ["thiduaso", "thi dua so", "binh dan hoc vu so"]
    if email:
        hints += [email, email.split("@")[0]]
    # zxcvbn's time grows fast with the length; 72 characters of a longer one tell enough.
    result = zxcvbn(password[:72], user_inputs=hints)
    if result["score"] >= MIN_PASSWORD_SCORE:
        return
    found = {m.get("dictionary_name") if m["pattern"] == "dictionary" else m["pattern"]
             for m in result["sequence"]}
    if "regex" in found:  # recent years
        found.add("date")
    msgid = next((message for kind, message in _WEAKNESSES if kind in found), _TOO_EASY)
    raise AccountError(msgid, field="new")


def _audit(actor: str, action: str, target: str, **details) -> None:
    db.session.add(AuditLog(actor=actor, action=action, target=target, details=details or None))


def create_user(email: str, role: str, *, unit_code: str | None = None, password: str | None = None,
                actor: str, must_change_password: bool = True, within: str | None = None) -> tuple[User, str]:
    """Create an account; returns it with its password (a temporary one unless given).
    ``within``: the unit path whose subtree the unit must be in (None: anywhere)."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 255 or any(c.isspace() for c in email):
        raise AccountError(N_("\"%(email)s\" is not an email address."), field="email", email=email)
    if role not in ROLES:
        raise AccountError(N_("Unknown role \"%(role)s\"; one of: %(roles)s."), field="role", role=role, roles=", ".join(ROLES))
    unit = None
    if role == MANAGER and not unit_code:
        raise AccountError(N_("A manager account needs a unit (--unit CODE)."), field="unit_code")
    if unit_code:
        if role != MANAGER:
            raise AccountError(N_("Only a manager account is bound to a unit."), field="unit_code")
        unit_class = User.unit.property.mapper.class_  # the campaign's Unit, without importing its package
        unit = db.session.scalar(select(unit_class).where(unit_class.code == unit_code))
        if unit is None or (within and not unit.path.startswith(within)):
            raise AccountError(N_("Unknown unit \"%(value)s\"."), field="unit_code", value=unit_code)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError(N_("An account with the email %(email)s already exists."), field="email", email=email)
    if password is None:
        password = temporary_password()
    else:
        check_password_strength(password, email=email)
    user = User(email=email, role=role, unit=unit, password_hash=generate_password_hash(password),
                must_change_password=must_change_password)
    db.session.add(user)
    _audit(actor, "user.create", email, role=role, unit=unit_code)
    db.session.commit()
    return user, password


@dataclass(frozen=True)
class UnitChoice:
    code: str
    name: str
    depth: int  # 0: the top of the list (the province, or a manager's own unit)
    group: str  # the name of the unit's branch one level below the top (its commune, for a village)


UNIT_CHOICES_MAX = 300  # beyond, the page asks to narrow the list by a search


def unit_choices(scope_path: str | None, search: str = "", limit: int = UNIT_CHOICES_MAX
                 ) -> tuple[list[UnitChoice], int]:
    """The units an account can be bound to, as the unit tree orders them (each branch after
    its unit): those of ``scope_path``'s subtree (the whole province for None), whose name or
    code contains ``search`` when given; at most ``limit``, with the number that match.
    Columns only (a province has a few thousand units), never the ORM's objects."""
    unit = User.unit.property.mapper.class_  # the campaign's Unit, without importing its package
    where = [unit.path.startswith(scope_path)] if scope_path else []
    search = search.strip()[:64]
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(sa.or_(unit.name.ilike(pattern, escape="\\"), unit.code.ilike(pattern, escape="\\")))
    total = db.session.scalar(select(sa.func.count()).select_from(unit).where(*where))
    rows = db.session.execute(select(unit.code, unit.name, unit.path).where(*where)
                              .order_by(unit.path).limit(limit)).all()
    top = scope_path.count("/") - 1 if scope_path else 1
    names = {}
    if rows:
        ids = {int(part) for _c, _n, path in rows for part in path.strip("/").split("/")[top:top + 1] if part}
        names = dict(db.session.execute(select(unit.id, unit.name).where(unit.id.in_(ids))).all())
    out = []
    for code, name, path in rows:
        parts = path.strip("/").split("/")
        depth = max(0, len(parts) - top)
        branch = parts[top] if len(parts) > top else None
        out.append(UnitChoice(code, name, depth, names.get(int(branch), "") if branch else ""))
    return out, total


@dataclass
class SignIn:
    """The outcome of a sign-in: the user (with the new session's id as ``user.session_id``),
    or why not, with the HTTP status to answer and, for 429, the seconds to wait."""
    user: User | None
    error: Message | None = None
    status: int = 200
    retry_after: int | None = None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def authenticate(email: str, password: str, address: str, *, now: datetime | None = None) -> SignIn:
    """Check a sign-in and start a staff session. Attempts are slowed per account, address
    and pair of them (accounts.throttle); a refused attempt checks no password."""
    now = now or utcnow()
    email = normalise_email(email)
    address = (address or "?")[:64]
    session_for_writing()  # it reads, then writes: it takes its turn as a writer from the start
    user = db.session.scalar(select(User).where(User.email == email))
    wait = throttle.wait_before_attempt(email, user, address, now)
    if wait > timedelta(0):
        return SignIn(None, throttle.refusal(wait), 429, retry_after=max(1, int(-(-wait.total_seconds() // 1))))
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        ok = False
    else:
        ok = check_password_hash(user.password_hash, password or "")
    if not ok or not user.active:
        throttle.record_failure(email, address, now)
        db.session.commit()
        if ok and not user.active:
            return SignIn(None, Message(N_("This account has been disabled. Ask an administrator.")), 403)
        return SignIn(None, Message(N_("Wrong email or password.")), 401)
    throttle.record_success(user, address, now)
    _start_session(user, now)
    user.last_login_at = now
    _audit(email, "user.sign_in", email)
    db.session.commit()
    return SignIn(user)


# ----------------------------------------------------------------------------- sessions

def _session_hours() -> timedelta:
    return timedelta(hours=current_app.config["SESSION_HOURS"])


def _start_session(user: User, now: datetime) -> None:
    """A new staff session for ``user`` (its id set as ``user.session_id``), in the caller's
    transaction; sessions past their absolute limit, anyone's, are deleted on the way."""
    db.session.execute(delete(StaffSession).where(StaffSession.created_at < now - _session_hours()))
    user.session_id = new_secret()
    db.session.add(StaffSession(user_id=user.id, token_hash=secret_hash(user.session_id), created_at=now))


def user_of_session(session_id: str, *, now: datetime | None = None) -> User | None:
    """The active account a session id belongs to; None once the session was ended (signing
    out, a password change or reset, disabling) or SESSION_HOURS after it began. Reading it
    writes nothing: the idle limit is the cookie's own clock (config.py, SESSION_IDLE_MINUTES)."""
    record = db.session.scalar(select(StaffSession).options(joinedload(StaffSession.user))
                               .where(StaffSession.token_hash == secret_hash(session_id)))
    if record is None or not record.user.active:
        return None
    if (now or utcnow()) >= _aware(record.created_at) + _session_hours():
        return None
    record.user.session_id = session_id
    return record.user


def end_session(session_id: str | None) -> None:
    """Signing out: the session opens nothing any more, whoever holds a copy of its cookie."""
    if session_id:
        db.session.execute(delete(StaffSession).where(StaffSession.token_hash == secret_hash(session_id)))
        db.session.commit()


def _end_sessions(user: User) -> None:
    """Every session of ``user`` ends (in the caller's transaction)."""
    db.session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
    user.session_id = None


# ----------------------------------------------------------------------------- passwords, accounts

def change_password(user: User, current: str, new: str) -> None:
    """The person's own change: every other session of theirs ends; this one goes on under
    a new id (``user.session_id``)."""
    if not check_password_hash(user.password_hash, current or ""):
        raise AccountError(N_("The current password is wrong."), field="current")
    check_password_strength(new, email=user.email)
    if current == new:
        raise AccountError(N_("The new password must differ from the current one."), field="new")
    user.password_hash = generate_password_hash(new)
    user.must_change_password = False
    _end_sessions(user)
    _start_session(user, utcnow())
    _audit(user.email, "user.change_password", user.email)
    db.session.commit()


def reset_password(user: User, *, actor: str) -> str:
    """Give ``user`` a new temporary password (returned), sign them out everywhere and
    revoke their API tokens."""
    password = temporary_password()
    user.password_hash = generate_password_hash(password)
    user.must_change_password = True
    _end_sessions(user)
    _revoke_tokens(user, actor=actor, reason="reset")
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == user.email))
    _audit(actor, "user.reset_password", user.email)
    db.session.commit()
    return password


def set_active(user: User, active: bool, *, actor: str) -> None:
    """Disable (signing out everywhere, revoking the API tokens) or enable an account.
    Nobody disables themselves."""
    if not active and actor == user.email:
        raise AccountError(N_("You cannot disable your own account."))
    user.active = active
    if not active:
        _end_sessions(user)
        _revoke_tokens(user, actor=actor, reason="disable")
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
    _end_sessions(user)
    _revoke_tokens(user, actor="demo", reason="reset")
    db.session.commit()
    return user


# ----------------------------------------------------------------------------- API tokens

def token_days() -> int:
    """The longest life of an API token, in days (API_TOKEN_DAYS), also the default."""
    return int(current_app.config["API_TOKEN_DAYS"])


def create_token(user: User, name: str, days: int | None = None) -> tuple["ApiToken", str]:
    """A new API token for ``user``, valid ``days`` (at most API_TOKEN_DAYS, the default);
    the token itself is returned once and never kept."""
    from .models import TOKEN_PREFIX, ApiToken

    longest = token_days()
    days = longest if days is None else days
    if not 1 <= days <= longest:
        raise AccountError(N_("A token is valid from 1 to %(n)d days."), field="days", n=longest)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    record = ApiToken(user_id=user.id, name=name.strip()[:255] or "API", token_hash=secret_hash(token),
                      hint=token[:10], created_at=now, expires_at=now + timedelta(days=days))
    db.session.add(record)
    _audit(user.email, "token.create", user.email, name=record.name, hint=record.hint,
           expires_at=record.expires_at.isoformat())
    db.session.commit()
    return record, token


def revoke_token(record: "ApiToken", *, actor: str) -> None:
    if record.revoked_at is None:
        record.revoked_at = utcnow()
        _audit(actor, "token.revoke", record.user.email, name=record.name, hint=record.hint)
        db.session.commit()


def _revoke_tokens(user: User, *, actor: str, reason: str) -> int:
    """Revoke every token of ``user`` still in force (in the caller's transaction); how many."""
    from .models import ApiToken

    now = utcnow()
    revoked = db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                                 .values(revoked_at=now)).rowcount
    if revoked:
        _audit(actor, "token.revoke_all", user.email, tokens=revoked, reason=reason)
    return revoked


def revoke_tokens(user: User, *, actor: str) -> int:
    """An administrator revokes every API token of an account; how many were in force."""
    revoked = _revoke_tokens(user, actor=actor, reason="admin")
    db.session.commit()
    return revoked


def user_of_token(token: str) -> User | None:
    """The active account a bearer token acts for (None for an unknown, revoked or expired token)."""
    from .models import ApiToken

    now = utcnow()
    record = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == secret_hash(token),
                                                      ApiToken.revoked_at.is_(None)))
    if record is None or record.expired or not record.user.active:
        return None
    last = record.last_used_at
    if last is None or now - _aware(last) > timedelta(minutes=5):
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


def tokens_in_force() -> dict[int, int]:
    """Per account id, how many of its API tokens still open the API (the Accounts page)."""
    from .models import ApiToken

    rows = db.session.execute(select(ApiToken.user_id, func.count())
                              .where(ApiToken.revoked_at.is_(None), ApiToken.expires_at > utcnow())
                              .group_by(ApiToken.user_id))
    return dict(rows.all())
