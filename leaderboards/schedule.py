"""The schedule (APScheduler), from ``flask --app app scheduler run``, a single process, in
the province's time zone:

- each running campaign publishes its boards at the weekday and hour of its rules
  (``publication``, Monday 06:00 by default);
- each night (00:05) the stored scores of every running campaign are brought to the new
  day, so that the first visit of the day to the dashboard does not wait for it;
- each night (00:30) the progress reports of every quarter, half-year and year that ended
  the day before are written (emulation/commendation/report_files.py).

Publishing twice is impossible by construction (one publication per campaign and date,
see ``publishing``), so a second scheduler, or a command run by hand, changes nothing.
"""
import time
from datetime import date, timedelta

import sqlalchemy as sa
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from emulation.clock import as_date, province_today
from emulation.models import Campaign
from emulation.scoring.scores import ensure_scores
from extensions import db

from .publishing import Published, publish

ACTOR = "scheduler"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def running_campaigns(today: date) -> list[Campaign]:
    return db.session.scalars(sa.select(Campaign).where(Campaign.starts_on <= today, Campaign.ends_on >= today)
                              .order_by(Campaign.code)).all()


def publish_campaign(app, code: str) -> Published | None:
    """The job: publish ``code``'s boards as of today, if the campaign is running."""
    with app.app_context():
        today = province_today()
        campaign = db.session.scalar(sa.select(Campaign).where(Campaign.code == code))
        if campaign is None or not campaign.starts_on <= today <= campaign.ends_on:
            return None
        result = publish(campaign, today, actor=ACTOR)
        app.logger.info("publication of %s as of %s: %s", code, today,
                        f"{result.entries} entries" if result.created else "already published")
        return result


def publication_days(campaign: Campaign, today: date) -> list[date]:
    """The days the schedule publishes ``campaign`` on (its rules' weekday), from its first
    day up to ``today``, or to its last day if it has ended."""
    weekday = WEEKDAYS.index(campaign.rules["publication"]["weekday"])
    start, end = as_date(campaign.starts_on), min(today, as_date(campaign.ends_on))
    first = start + timedelta(days=(weekday - start.weekday()) % 7)
    if first > end:
        return []
    return [first + timedelta(weeks=i) for i in range((end - first).days // 7 + 1)]


def backfill_publications(code: str, today: date, *, actor: str, weeks: int | None = None) -> list[Published]:
    """Every publication the schedule would have made of campaign ``code`` up to ``today``
    (or its last ``weeks`` only), oldest first, each as it would have been made that week
    (the scores as of its day), so that each has its movement against the week before. A
    day already published is kept as it is. The stored scores are left as of ``today``, as
    the nightly job leaves them."""
    results = []
    days = publication_days(db.session.scalar(sa.select(Campaign).where(Campaign.code == code)), today)
    for day in days[-weeks:] if weeks else days:
        # publish() ends the session: the campaign is read again for each week.
        results.append(publish(db.session.scalar(sa.select(Campaign).where(Campaign.code == code)), day,
                               actor=actor))
    ensure_scores(db.session.scalar(sa.select(Campaign).where(Campaign.code == code)), today)
    return results


def publish_demo_weeks(sender, campaigns, today, echo, weeks=None) -> None:
    """On ``demo_loaded``: the demo's campaigns publish the weeks so far (the last ``weeks``
    of them; None: all), as if the scheduler had run since each began."""
    from flask_babel import format_decimal, format_number
    from flask_babel import gettext as _

    for code in campaigns:
        t0 = time.perf_counter()
        results = backfill_publications(code, today, actor="demo", weeks=weeks)
        echo(_("Leaderboards of %(code)s: %(count)s weekly publications (%(new)s new) (%(seconds)s s)", code=code,
               count=format_number(len(results)), new=format_number(sum(r.created for r in results)),
               seconds=format_decimal(round(time.perf_counter() - t0, 1))))


def rescore_running_campaigns(app) -> list[str]:
    """The nightly job: the stored scores of each running campaign as of today."""
    with app.app_context():
        today = province_today()
        codes = []
        for campaign in running_campaigns(today):
            codes.append(campaign.code)
            ensure_scores(campaign, today)
        app.logger.info("scores as of %s: %s", today, ", ".join(codes) or "no running campaign")
        return codes


def write_period_reports(app) -> dict[str, list[str]]:
    """The nightly job: the progress reports of the periods that ended yesterday."""
    from emulation.commendation.report_files import write_ended_periods

    with app.app_context():
        yesterday = province_today() - timedelta(days=1)
        written = {}
        for campaign in db.session.scalars(sa.select(Campaign).where(
                Campaign.starts_on <= yesterday, Campaign.ends_on >= yesterday).order_by(Campaign.code)):
            codes = write_ended_periods(campaign, yesterday)
            if codes:
                written[campaign.code] = codes
                app.logger.info("progress reports of %s: %s", campaign.code, ", ".join(codes))
        return written


def build_scheduler(app) -> BlockingScheduler:
    """One weekly job per campaign, at its publication weekday and hour; the nightly scores."""
    scheduler = BlockingScheduler(timezone=app.config["TIMEZONE"])
    scheduler.add_job(rescore_running_campaigns, CronTrigger(hour=0, minute=5, timezone=app.config["TIMEZONE"]),
                      args=(app,), id="scores", coalesce=True, max_instances=1, misfire_grace_time=6 * 3600)
    scheduler.add_job(write_period_reports, CronTrigger(hour=0, minute=30, timezone=app.config["TIMEZONE"]),
                      args=(app,), id="reports", coalesce=True, max_instances=1, misfire_grace_time=6 * 3600)
    with app.app_context():
        for campaign in db.session.scalars(sa.select(Campaign).order_by(Campaign.code)):
            when = campaign.rules["publication"]
            scheduler.add_job(publish_campaign, CronTrigger(day_of_week=when["weekday"], hour=when["hour"],
                                                            timezone=app.config["TIMEZONE"]),
                              args=(app, campaign.code), id=f"publish:{campaign.code}", coalesce=True,
                              max_instances=1, misfire_grace_time=6 * 3600)
    return scheduler
