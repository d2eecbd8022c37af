"""The badges shown on the entries of a published board, frozen with the publication: on the
units board the coverage tiers (lowest first), on the households board "Gia đình số", on
the people board "Công dân số" and "Đại sứ số". An award counts when it was held on the
publication's date (awarded by then, not revoked by then), so a publication keeps saying
what held that day whatever is awarded or revoked later."""
from datetime import date
from types import SimpleNamespace

import sqlalchemy as sa

from emulation.models import Campaign
from leaderboards.labels import update_entries

from .classes import badge_classes

# The classes each board shows, by the recipient type of their awards.
BOARD_OF = {"unit": "units", "household": "households", "person": "people"}
PEOPLE_SHOWN = ("citizen", "ambassador")
# The key of a board's entry, by the recipient type (unit code, household code, external id).
_KEY = {"unit": "SELECT code FROM units WHERE id = a.recipient_id",
        "household": "SELECT code FROM households WHERE id = a.recipient_id",
        "person": "SELECT external_id FROM people WHERE id = a.recipient_id"}


def shown_classes(campaign) -> list:
    """The badge classes the boards show, in the order they are shown."""
    return [c for c in badge_classes(campaign).values()
            if c.recipient in ("unit", "household") or c.code in PEOPLE_SHOWN]


def freeze_board_badges(sender, conn, publication_id: int, campaign_id: int, as_of: date) -> None:
    """On ``leaderboards.publishing.boards_published``: each entry's badges held on ``as_of``."""
    rules = conn.scalar(sa.select(Campaign.rules).where(Campaign.id == campaign_id))
    order = {c.code: i for i, c in enumerate(shown_classes(SimpleNamespace(rules=rules or {})))}
    if not order:
        return
    held: dict[tuple[str, str], list[str]] = {}
    for kind, key_sql in _KEY.items():
        rows = conn.execute(sa.text(f"""
            SELECT ({key_sql}) AS key, a.badge FROM awards a
            WHERE a.campaign_id = :cid AND a.recipient_type = :kind AND a.awarded_on <= :as_of
              AND (a.revoked_on IS NULL OR a.revoked_on > :as_of)
              AND a.badge IN :badges""").bindparams(sa.bindparam("badges", expanding=True)),
            {"cid": campaign_id, "kind": kind, "as_of": as_of, "badges": list(order)})
        for key, badge in rows:
            held.setdefault((BOARD_OF[kind], key), []).append(badge)
    update_entries(conn, publication_id, ("badges",),
                   ((board, key, " ".join(sorted(set(codes), key=order.__getitem__)))
                    for (board, key), codes in held.items() if key is not None))


def classes_by_code(campaign) -> dict:
    """For the public boards (a Jinja global): badge code → its class (name, colour, image)."""
    return {c.code: c for c in shown_classes(campaign)} if campaign is not None else {}
