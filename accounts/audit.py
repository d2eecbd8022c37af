"""Audit notes of reads (a nominee list downloaded): every read is recorded, and no read
fails because its note cannot be written at once.

A request that read under a plain BEGIN and then writes its note in the same transaction
cannot wait for the lock on SQLite: if any other writer (another download's note) committed
since its snapshot, SQLite refuses the write at once, and the read became a 503. So the note
is written apart: its own short transaction on its own connection, begun as a writing one
(BEGIN IMMEDIATE, which waits its turn behind other writers), retried a few times; while a
long import holds the database past all that, it is handed to a thread that keeps trying,
and is logged as lost only when that thread finally gives up.
"""
import threading
import time

from flask import current_app

from extensions import database_busy, db, for_writing, utcnow

from .models import AuditLog

ATTEMPTS = 3  # in the request, each waiting up to SQLITE_BUSY_TIMEOUT_MS behind another writer
LATER_ATTEMPTS = 20  # then in a thread, spaced out up to LATER_PAUSE_MAX seconds
LATER_PAUSE_MAX = 30.0


def note_read(*, actor: str, action: str, target: str | None, details: dict | None = None) -> bool:
    """Record a read in the audit log in its own transaction; True when written now, False
    when handed to a background thread (the read goes on either way)."""
    row = dict(at=utcnow(), actor=actor, action=action, target=target, details=details or None)
    app = current_app._get_current_object()
    if _write(row, ATTEMPTS, pause=0.05):
        return True
    threading.Thread(target=_write_later, args=(app, row), name="audit-note", daemon=True).start()
    return False


def _write(row: dict, attempts: int, pause: float) -> bool:
    for attempt in range(attempts):
        try:
            with for_writing(db.engine.connect()) as conn, conn.begin():
                conn.execute(AuditLog.__table__.insert().values(**row))
            return True
        except Exception as exc:  # noqa: BLE001 (a database that is busy, or away: the read must not fail)
            if attempt == attempts - 1:
                current_app.logger.warning("audit note %s not written yet (%s): %s", row["action"],
                                           "busy" if database_busy(exc) else "error", exc)
                break
            time.sleep(min(pause * 2 ** attempt, LATER_PAUSE_MAX))
    return False


def _write_later(app, row: dict) -> None:
    with app.app_context():
        if not _write(row, LATER_ATTEMPTS, pause=1.0):
            app.logger.error("audit note lost after %d attempts: %r", ATTEMPTS + LATER_ATTEMPTS, row)


# What the audit log page calls each action and each detail, in the UI's words. Each
# package names its own actions (``name_actions``, from its ``register``); an action or a
# detail nobody named is shown by its code.
_ACTIONS: dict = {}
_DETAILS: dict = {}
_VALUES: dict = {}


def name_actions(actions: dict, details: dict | None = None, values: dict | None = None) -> None:
    """Add names of actions (code -> label), of details (key -> label) and of their values
    (key -> {value -> label})."""
    _ACTIONS.update(actions)
    _DETAILS.update(details or {})
    for key, names in (values or {}).items():
        _VALUES.setdefault(key, {}).update(names)


def action_label(action: str) -> str:
    """The words for an action code (``user.sign_in`` -> "Signed in"), else the code."""
    return str(_ACTIONS.get(action, action))


def detail_lines(details: dict | None) -> list[tuple[str, str]]:
    """(label, value) of each detail of an entry, in the UI's words: yes/no for booleans,
    dates as the UI writes them, named values (a role, a section) by their names."""
    from flask_babel import gettext

    from web.formatting import format_day, format_num

    lines = []
    for key, value in (details or {}).items():
        label = str(_DETAILS.get(key, key))
        if value is None:
            text = "—"
        elif isinstance(value, bool):
            text = gettext("yes") if value else gettext("no")
        elif isinstance(value, int):
            text = format_num(value)
        elif str(value) in _VALUES.get(key, {}):
            text = str(_VALUES[key][str(value)])
        else:
            text = _day_text(str(value), format_day) if isinstance(value, str) else str(value)
        lines.append((label, text))
    return lines


def _day_text(value: str, format_day) -> str:
    """A date or a moment written as ISO (``2025-12-31``, ``2026-03-01T…``) as the UI writes a day."""
    from datetime import date

    try:
        return format_day(date.fromisoformat(value[:10])) if len(value) >= 10 and value[4] == "-" else value
    except ValueError:
        return value


def _account_words():
    from flask_babel import lazy_gettext as _l

    from .forms import ROLE_NAMES

    actions = {
        "user.create": _l("Account created"), "user.sign_in": _l("Signed in"),
        "user.change_password": _l("Own password changed"), "user.reset_password": _l("Password reset"),
        "user.enable": _l("Account enabled"), "user.disable": _l("Account disabled"),
        "token.create": _l("API token made"), "token.revoke": _l("API token revoked"),
        "token.revoke_all": _l("All API tokens of an account revoked"),
    }
    details = {"role": _l("role"), "unit": _l("unit"), "name": _l("for"), "hint": _l("begins with"),
               "expires_at": _l("expires"), "tokens": _l("tokens"), "reason": _l("reason")}
    values = {"role": dict(ROLE_NAMES),
              "reason": {"reset": _l("password reset"), "disable": _l("account disabled"),
                         "admin": _l("by an administrator")}}
    return actions, details, values


def name_account_actions() -> None:
    """The names of the accounts package's own actions."""
    name_actions(*_account_words())
