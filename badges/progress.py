"""The public progress page of a person or a household (opened by its personal code): the
skills, points, rank on the latest published board and badges. It reads what is stored
(the scores and the publication as they are), so a visit never starts a computation."""
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from emulation.clock import as_date, province_today
from emulation.models import Campaign, Completion, HouseholdScore, PersonScore, ScoreRun, Skill
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
class ProgressPage:
    who: records.Recipient
    campaign: Campaign | None
    scores_as_of: date | None
    score: PersonScore | HouseholdScore | None
    rank: int | None
    published_on: date | None
    skills: list = field(default_factory=list)  # (name, level, completed_on) for a person
    badges: list[ShownBadge] = field(default_factory=list)


def progress_page(opened: ProgressCode, household_label) -> ProgressPage | None:
    # Masked as of the visit: the page shows today's progress.
    who = records.recipient(opened.recipient_type, opened.recipient_id, province_today(), household_label)
    if who is None:
        return None
    campaign = current_campaign()
    page = ProgressPage(who, campaign, None, None, None, None)
    if campaign is not None:
        run = db.session.get(ScoreRun, campaign.id)
        page.scores_as_of = as_date(run.as_of) if run else None
        model = PersonScore if who.type == "person" else HouseholdScore
        page.score = db.session.get(model, (campaign.id, who.id)) if run else None
        publication = db.session.scalar(sa.select(Publication).where(Publication.campaign_id == campaign.id)
                                        .order_by(Publication.as_of.desc()).limit(1))
        if publication is not None and not who.hidden:  # a hidden pupil is on no public board
            page.published_on = as_date(publication.as_of)
            page.rank = db.session.scalar(sa.select(PublishedEntry.rank).where(
                PublishedEntry.publication_id == publication.id,
                PublishedEntry.board == ("people" if who.type == "person" else "households"),
                PublishedEntry.key == who.key))
    if who.type == "person":
        page.skills = db.session.execute(
            sa.select(Skill.name, Skill.level, Completion.completed_on).join(Skill, Skill.id == Completion.skill_id)
            .where(Completion.person_id == who.id).order_by(Completion.completed_on, Skill.name)).all()
    classes_of: dict[int, dict] = {}
    for award in records.live_awards(who.type, who.id):
        if award.campaign_id not in classes_of:
            classes_of[award.campaign_id] = badge_classes(db.session.get(Campaign, award.campaign_id))
        badge = classes_of[award.campaign_id].get(award.badge)
        if badge is not None:
            page.badges.append(ShownBadge(award.id, badge.name, badge.colour, as_date(award.awarded_on)))
    return page
