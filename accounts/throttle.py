"""Slowing down password guessing without letting anyone lock an account out.

Failures of the last 24 hours are counted in the database, so every worker process and
server of the deployment sees the same counts. Three counts, each with its own growing
delay after its latest failure (:class:`Backoff`: free attempts, then 1 s, 2 s, 4 s …
doubling up to a ceiling):

- the pair (account, address): after 5 failures, up to one hour between attempts;
- the address, over every account (one address trying many accounts): after 20, up to
  15 minutes;
- the account, over every address (many addresses trying one account): after 50, up to
  5 minutes. This one slows and never blocks: it only spaces attempts.

The last two never apply to an address the account signed in from in the last 90 days:
what is typed wrong elsewhere does not stop the account's owner at their usual address,
and from a new address it delays them by at most 5 minutes. A refused attempt is answered
at once (429 with Retry-After): it checks no password and writes nothing. What this gives
an attacker who tries as soon as each delay allows is measured by tests/accounts/
test_throttle.py and stated in the README ("Security").
"""
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, delete, func, select

from extensions import db
from web.i18n import N_, Message

from .models import LoginFailure, SignInAddress, User

WINDOW = timedelta(hours=24)  # failures older than this are forgotten
KNOWN_FOR = timedelta(days=90)  # an address an account signed in from is "its own" this long


@dataclass(frozen=True)
class Backoff:
    """``free`` failures cost nothing; then each one makes the next attempt wait twice as
    long as the one before it (1 s, 2 s, 4 s …), never longer than ``ceiling``."""
    free: int
    ceiling: timedelta

    def delay(self, failures: int) -> timedelta:
        if failures < self.free:
            return timedelta(0)
        return min(timedelta(seconds=2 ** min(failures - self.free, 30)), self.ceiling)


PAIR = Backoff(free=5, ceiling=timedelta(hours=1))
ADDRESS = Backoff(free=20, ceiling=timedelta(minutes=15))
ACCOUNT = Backoff(free=50, ceiling=timedelta(minutes=5))


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive UTC."""
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _wait(backoff: Backoff, condition, now: datetime) -> timedelta:
    count, last = db.session.execute(select(func.count(), func.max(LoginFailure.at))
                                     .where(condition, LoginFailure.at >= now - WINDOW)).one()
    if not count:
        return timedelta(0)
    return max(_aware(last) + backoff.delay(count) - now, timedelta(0))


def known_address(user: User | None, address: str, now: datetime) -> bool:
    if user is None:
        return False
    last = db.session.scalar(select(SignInAddress.last_at).where(SignInAddress.user_id == user.id,
                                                                 SignInAddress.address == address))
    return last is not None and _aware(last) >= now - KNOWN_FOR


def wait_before_attempt(email: str, user: User | None, address: str, now: datetime) -> timedelta:
    """How long an attempt to sign in as ``email`` from ``address`` must still wait (zero: go on)."""
    waits = [_wait(PAIR, and_(LoginFailure.email == email, LoginFailure.address == address), now)]
    if not known_address(user, address, now):
        waits.append(_wait(ADDRESS, LoginFailure.address == address, now))
        waits.append(_wait(ACCOUNT, LoginFailure.email == email, now))
    return max(waits)


def refusal(wait: timedelta) -> Message:
    seconds = max(1, int(-(-wait.total_seconds() // 1)))
    if seconds < 120:
        return Message(N_("Too many failed sign-ins. Wait %(seconds)d seconds, then try again."),
                       dict(seconds=seconds))
    return Message(N_("Too many failed sign-ins. Wait %(minutes)d minutes, then try again."),
                   dict(minutes=-(-seconds // 60)))


def record_failure(email: str, address: str, now: datetime) -> None:
    """Note a failure (in the caller's transaction) and forget those out of the window."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.at < now - WINDOW))
    db.session.add(LoginFailure(email=email, address=address, at=now))


def record_success(user: User, address: str, now: datetime) -> None:
    """The pair's failures are forgotten and the address becomes one of the account's own
    (those typed by others, from elsewhere, still count for the account)."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == user.email,
                                                  LoginFailure.address == address))
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(SignInAddress).values(user_id=user.id, address=address, last_at=now)
    db.session.execute(statement.on_conflict_do_update(index_elements=["user_id", "address"],
                                                       set_={"last_at": now}))
