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
