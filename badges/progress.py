"""The public progress page of a person or a household (opened by its personal code): the
skills, points, rank on the latest published board and badges. It reads what is stored
(the scores and the publication as they are), so a visit never starts a computation."""
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from emulation.clock import as_date, province_today
from emulation.models import Campaign, Completion, HouseholdScore, Person, PersonScore, ScoreRun, Skill
from emulation.scoring.progress import current_campaign
from extensions import db
from leaderboards.models import Publication, PublishedEntry

from . import records
from .classes import badge_classes
from .models import ProgressCode


@dataclass
class ShownBadge:
    id: str
    name: str
    colour: str
    awarded_on: date


@dataclass
class CampaignProgress:
    """What one campaign counts of the recipient: its window, the scores and rank, for a
    person the skills their group must complete (done in the window, and still missing,
    by name), and the badges of that campaign."""
    campaign: Campaign
    starts_on: date
    ends_on: date
    scores_as_of: date | None = None
    score: PersonScore | HouseholdScore | None = None
    rank: int | None = None
    published_on: date | None = None
    required_done: list = field(default_factory=list)  # (skill name, completed_on), in the window
    required_missing: list = field(default_factory=list)  # (skill name, completed_on outside the window or None)
    badges: list[ShownBadge] = field(default_factory=list)


@dataclass
class ProgressPage:
    who: records.Recipient
    campaign: Campaign | None  # the current one
    campaigns: list[CampaignProgress] = field(default_factory=list)  # newest first, begun ones only
    skills: list = field(default_factory=list)  # (name, level, completed_on) for a person


def progress_page(opened: ProgressCode, household_label) -> ProgressPage | None:
    # Masked as of the visit: the page shows today's progress.
    today = province_today()
    who = records.recipient(opened.recipient_type, opened.recipient_id, today, household_label)
    if who is None:
        return None
    page = ProgressPage(who, current_campaign())
    group = db.session.get(Person, who.id).group if who.type == "person" else None
    shown: dict[int, CampaignProgress] = {}
    for campaign in db.session.scalars(sa.select(Campaign).where(Campaign.starts_on <= today)
                                       .order_by(Campaign.starts_on.desc(), Campaign.code)):
        if group is not None and group not in campaign.rules.get("groups", ()):
            continue
        shown[campaign.id] = one = _campaign_progress(campaign, who, group)
        page.campaigns.append(one)
    if who.type == "person":
        page.skills = db.session.execute(
            sa.select(Skill.name, Skill.level, Completion.completed_on).join(Skill, Skill.id == Completion.skill_id)
            .where(Completion.person_id == who.id).order_by(Completion.completed_on, Skill.name)).all()
    classes_of: dict[int, dict] = {}
    for award in records.live_awards(who.type, who.id):
        if award.campaign_id not in shown:
            continue
        if award.campaign_id not in classes_of:
            classes_of[award.campaign_id] = badge_classes(shown[award.campaign_id].campaign)
        badge = classes_of[award.campaign_id].get(award.badge)
        if badge is not None:
            shown[award.campaign_id].badges.append(
                ShownBadge(award.id, badge.name, badge.colour, as_date(award.awarded_on)))
    return page


def _campaign_progress(campaign: Campaign, who: records.Recipient, group: str | None) -> CampaignProgress:
    one = CampaignProgress(campaign, as_date(campaign.starts_on), as_date(campaign.ends_on))
    run = db.session.get(ScoreRun, campaign.id)
    if run is not None:
        one.scores_as_of = as_date(run.as_of)
        model = PersonScore if who.type == "person" else HouseholdScore
        one.score = db.session.get(model, (campaign.id, who.id))
    publication = db.session.scalar(sa.select(Publication).where(Publication.campaign_id == campaign.id)
                                    .order_by(Publication.as_of.desc()).limit(1))
    if publication is not None and not who.hidden:  # a hidden pupil is on no public board
        one.published_on = as_date(publication.as_of)
        one.rank = db.session.scalar(sa.select(PublishedEntry.rank).where(
            PublishedEntry.publication_id == publication.id,
            PublishedEntry.board == ("people" if who.type == "person" else "households"),
            PublishedEntry.key == who.key))
    if group is not None:
        # The same window as the scores: a completion counts from the first day to the last.
        until = min(one.ends_on, one.scores_as_of or one.ends_on)
        rows = db.session.execute(
            sa.select(Skill.name, Skill.required_for, Completion.completed_on)
            .outerjoin(Completion, sa.and_(Completion.skill_id == Skill.id, Completion.person_id == who.id))
            .where(Skill.required_for.like(f"%{group}%")).order_by(Skill.level, Skill.name)).all()
        done, outside = {}, {}
        for name, required_for, day in rows:
            if group not in required_for.split(";"):
                continue
            day = as_date(day)
            if day is not None and one.starts_on <= day <= until:
                done[name] = min(day, done.get(name, day))
            else:
                outside.setdefault(name, day)
                if day is not None:
                    outside[name] = day if outside[name] is None else min(outside[name], day)
        one.required_done = sorted(done.items(), key=lambda item: (item[1], item[0]))
        one.required_missing = [(name, day) for name, day in outside.items() if name not in done]
    return one
