"""Domain model of the campaign: the unit tree, households, people, the skills framework,
the events that score (completions, activities, mentorships), campaigns, and the records
of imports. (Staff accounts and the audit log: ``accounts.models``.)

Bulk paths (imports, recomputes) use these tables through SQLAlchemy Core; the ORM
classes serve pages and small edits.
"""

import sqlalchemy as sa

from extensions import db, utcnow

GROUPS = ("cadre", "student", "worker", "citizen")
UNIT_KINDS = (
    "province", "commune", "ward", "agency", "school", "enterprise", "cooperative",
    "village", "residential_group", "class", "other",
)
# The kinds of unit that are communes and wards: the level of the province's reports,
# of its nominee quotas and of the public boards' "commune" filter.
COMMUNE_KINDS = ("commune", "ward")
ACTIVITY_KINDS = (
    "vneid_level2", "learning_session", "festival", "cashless_payment", "ecommerce", "digital_savings",
)
COMPLETION_SOURCES = ("mooc", "vneid", "session", "assessment", "manual")
SKILL_LEVELS = range(1, 9)
CODE_LENGTH = 32
EXTERNAL_ID_LENGTH = 64
NAME_LENGTH = 255
REFERENCE_LENGTH = 255


class Unit(db.Model):
    """A node of the province's unit tree (commune, school, village, class, ...)."""

    __tablename__ = "units"
    id = sa.Column(sa.Integer, primary_key=True)
    code = sa.Column(sa.String(CODE_LENGTH), nullable=False, unique=True)
    name = sa.Column(sa.String(NAME_LENGTH), nullable=False)
    kind = sa.Column(sa.String(24), nullable=False)
    parent_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), index=True)
    # Units are ranked only against units of the same bracket (defaults to the kind).
    bracket = sa.Column(sa.String(CODE_LENGTH), nullable=False, index=True)
    # Declared head counts (None = not declared); the scoring denominator never goes below
    # the number of people registered.
    headcount_cadre = sa.Column(sa.Integer)
    headcount_student = sa.Column(sa.Integer)
    headcount_worker = sa.Column(sa.Integer)
    headcount_citizen = sa.Column(sa.Integer)
    # A unit flagged ineligible never appears on a nominee list.
    eligible = sa.Column(sa.Boolean, nullable=False, default=True, server_default=sa.true())
    # A school that keeps its pupils (group student, in its subtree) off the public pages
    # (SPEC §3; consent of a child and a parent): set on the unit's page, audited.
    hide_pupils_publicly = sa.Column(sa.Boolean, nullable=False, default=False, server_default=sa.false())
    # Materialised path of ids, "/1/7/42/", maintained by the unit importer, so a whole
    # subtree is one indexed prefix query.
    path = sa.Column(sa.String(1024), nullable=False, default="", server_default="", index=True)
    depth = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")

    parent = db.relationship("Unit", remote_side=[id], backref="children")

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


class Household(db.Model):
    """A family ("hộ gia đình"), candidate for the "Gia đình số" title."""

    __tablename__ = "households"
    id = sa.Column(sa.Integer, primary_key=True)
    code = sa.Column(sa.String(CODE_LENGTH), nullable=False, unique=True)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=False, index=True)
    head_name = sa.Column(sa.String(NAME_LENGTH))

    unit = db.relationship("Unit")


class Person(db.Model):
    """A cadre, student, worker or citizen taking part in the campaign."""

    __tablename__ = "people"
    id = sa.Column(sa.Integer, primary_key=True)
    external_id = sa.Column(sa.String(EXTERNAL_ID_LENGTH), nullable=False, unique=True)
    full_name = sa.Column(sa.String(NAME_LENGTH), nullable=False)
    group = sa.Column(sa.String(16), nullable=False)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=False, index=True)
    household_id = sa.Column(sa.Integer, sa.ForeignKey("households.id"), index=True)
    birth_year = sa.Column(sa.SmallInteger)
    gender = sa.Column(sa.String(1))
    # The national id is never stored in clear: a keyed hash (HMAC-SHA256, for duplicate
    # detection) and the last three digits (for staff to tell people apart).
    national_id_hash = sa.Column(sa.String(64), unique=True)
    national_id_last3 = sa.Column(sa.String(3))
    party_member = sa.Column(sa.Boolean, nullable=False, default=False, server_default=sa.false())
    position = sa.Column(sa.String(NAME_LENGTH))
    eligible = sa.Column(sa.Boolean, nullable=False, default=True, server_default=sa.true())

    unit = db.relationship("Unit")
    household = db.relationship("Household", backref="members")

    __table_args__ = (sa.CheckConstraint(sa.column("group").in_(GROUPS), name="group"),)


class Mentorship(db.Model):
    """A mentor ("Đại sứ số" candidate) helping a mentee learn."""

    __tablename__ = "mentorships"
    mentor_id = sa.Column(sa.Integer, sa.ForeignKey("people.id"), primary_key=True)
    mentee_id = sa.Column(sa.Integer, sa.ForeignKey("people.id"), primary_key=True, index=True)
    started_on = sa.Column(sa.Date, nullable=False)

    __table_args__ = (
        sa.CheckConstraint("mentor_id <> mentee_id", name="not_self"),
        {"sqlite_with_rowid": False},
    )


class Skill(db.Model):
    """A skill of the digital competence framework (6 domains, levels 1-8)."""

    __tablename__ = "skills"
    id = sa.Column(sa.Integer, primary_key=True)
    code = sa.Column(sa.String(CODE_LENGTH), nullable=False, unique=True)
    name = sa.Column(sa.String(NAME_LENGTH), nullable=False)
    domain = sa.Column(sa.String(64), nullable=False)
    level = sa.Column(sa.SmallInteger, nullable=False)
    points = sa.Column(sa.Integer, nullable=False)
    # Target groups for which the skill is required to be universalized, ";"-joined in
    # the canonical order of GROUPS ("" = required for nobody).
    required_for = sa.Column(sa.String(64), nullable=False, default="", server_default="")

    __table_args__ = (
        sa.CheckConstraint("level BETWEEN 1 AND 8", name="level"),
        sa.CheckConstraint("points >= 0", name="points"),
    )

    @property
    def required_groups(self) -> list[str]:
        return [g for g in self.required_for.split(";") if g]


class Completion(db.Model):
    """A person completed a skill. One row per (person, skill): the earliest date wins."""

    __tablename__ = "completions"
    person_id = sa.Column(sa.Integer, sa.ForeignKey("people.id"), primary_key=True)
    skill_id = sa.Column(sa.Integer, sa.ForeignKey("skills.id"), primary_key=True)
    completed_on = sa.Column(sa.Date, nullable=False)
    source = sa.Column(sa.String(12), nullable=False)
    reference = sa.Column(sa.String(REFERENCE_LENGTH))

    # Clustered on (person, skill): 7.5M rows stay compact and a person's completions are
    # one range scan.
    __table_args__ = ({"sqlite_with_rowid": False},)


class Activity(db.Model):
    """A scoring activity (VNeID level 2, a festival, a learning session, ...)."""

    __tablename__ = "activities"
    person_id = sa.Column(sa.Integer, sa.ForeignKey("people.id"), primary_key=True)
    kind = sa.Column(sa.String(24), primary_key=True)
    occurred_on = sa.Column(sa.Date, primary_key=True)
    reference = sa.Column(sa.String(REFERENCE_LENGTH))

    __table_args__ = ({"sqlite_with_rowid": False},)


class Campaign(db.Model):
    """An emulation campaign: its window, target groups, targets and every scoring rule."""

    __tablename__ = "campaigns"
    id = sa.Column(sa.Integer, primary_key=True)
    code = sa.Column(sa.String(CODE_LENGTH), nullable=False, unique=True)
    name = sa.Column(sa.String(NAME_LENGTH), nullable=False)
    starts_on = sa.Column(sa.Date, nullable=False)
    ends_on = sa.Column(sa.Date, nullable=False)
    # The complete, validated rule set with defaults filled in (see emulation.campaigns).
    rules = sa.Column(sa.JSON, nullable=False)
    source_toml = sa.Column(sa.Text, nullable=False)
    updated_at = sa.Column(sa.DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)

    @property
    def groups(self) -> list[str]:
        return list(self.rules["groups"])

    @property
    def targets(self) -> dict:
        return dict(self.rules["targets"])


class ImportBatch(db.Model):
    """One committed import of a file (CLI, upload or API)."""

    __tablename__ = "import_batches"
    id = sa.Column(sa.Integer, primary_key=True)
    kind = sa.Column(sa.String(16), nullable=False)
    file_name = sa.Column(sa.String(NAME_LENGTH), nullable=False)
    sha256 = sa.Column(sa.String(64), nullable=False)
    actor = sa.Column(sa.String(NAME_LENGTH), nullable=False)
    started_at = sa.Column(sa.DateTime(timezone=True), nullable=False)
    finished_at = sa.Column(sa.DateTime(timezone=True), nullable=False)
    rows_in = sa.Column(sa.Integer, nullable=False)
    rows_accepted = sa.Column(sa.Integer, nullable=False)
    rows_rejected = sa.Column(sa.Integer, nullable=False)
    rows_changed = sa.Column(sa.Integer, nullable=False)
    skip_invalid = sa.Column(sa.Boolean, nullable=False)


# --------------------------------------------------------------------------- scores
# Stored results of the scoring rules (SPEC §3) for one campaign as of one date, rebuilt
# set-based by emulation.scoring. Rows carry what the boards sort and filter on, so a
# board is one indexed query.

class ScoreRun(db.Model):
    """The date and moment the stored scores of a campaign were computed for."""

    __tablename__ = "score_runs"
    campaign_id = sa.Column(sa.Integer, sa.ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    as_of = sa.Column(sa.Date, nullable=False)
    computed_at = sa.Column(sa.DateTime(timezone=True), nullable=False, default=utcnow)
    # The import batch the scores include (the latest when they were computed).
    import_batch_id = sa.Column(sa.Integer)


class PersonScore(db.Model):
    __tablename__ = "person_scores"
    campaign_id = sa.Column(sa.Integer, sa.ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    person_id = sa.Column(sa.Integer, sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    # Copied from the person, for boards filtered by scope and group without a join.
    unit_id = sa.Column(sa.Integer, nullable=False)
    household_id = sa.Column(sa.Integer)
    group = sa.Column(sa.String(16), nullable=False)
    points = sa.Column(sa.Integer, nullable=False)
    skill_points = sa.Column(sa.Integer, nullable=False)
    activity_points = sa.Column(sa.Integer, nullable=False)
    mentees = sa.Column(sa.Integer, nullable=False)  # universalized mentees
    universalized_on = sa.Column(sa.Date)
    last_scored_on = sa.Column(sa.Date)
    first_completed_on = sa.Column(sa.Date)  # the earliest counted completion (households)

    __table_args__ = ({"sqlite_with_rowid": False},)


class UnitScore(db.Model):
    __tablename__ = "unit_scores"
    campaign_id = sa.Column(sa.Integer, sa.ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    bracket = sa.Column(sa.String(CODE_LENGTH), nullable=False)
    # Over the campaign's groups and the unit's whole subtree.
    universalized = sa.Column(sa.Integer, nullable=False)
    headcount = sa.Column(sa.Integer, nullable=False)
    coverage = sa.Column(sa.Float)  # None when the headcount is 0 (not ranked)
    points = sa.Column(sa.Integer, nullable=False)
    points_per_capita = sa.Column(sa.Float)
    reached_on = sa.Column(sa.Date)
    # {group: [universalized, headcount]} for the campaign's groups.
    by_group = sa.Column(sa.JSON, nullable=False)

    __table_args__ = ({"sqlite_with_rowid": False},)


class HouseholdScore(db.Model):
    __tablename__ = "household_scores"
    campaign_id = sa.Column(sa.Integer, sa.ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    household_id = sa.Column(sa.Integer, sa.ForeignKey("households.id", ondelete="CASCADE"), primary_key=True)
    unit_id = sa.Column(sa.Integer, nullable=False)
    members = sa.Column(sa.Integer, nullable=False)
    active_members = sa.Column(sa.Integer, nullable=False)
    active_share = sa.Column(sa.Float)  # None for a household without members
    points = sa.Column(sa.Integer, nullable=False)
    digital_family = sa.Column(sa.Boolean, nullable=False)
    achieved_on = sa.Column(sa.Date)

    __table_args__ = ({"sqlite_with_rowid": False},)


# --------------------------------------------------------------------------- nominee lists

class NomineeList(db.Model):
    """A version of a campaign's list of nominees for commendation (SPEC §5). A draft is
    derived again after each change; a frozen list never changes."""

    __tablename__ = "nominee_lists"
    id = sa.Column(sa.Integer, primary_key=True)
    campaign_id = sa.Column(sa.Integer, sa.ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False)
    version = sa.Column(sa.Integer, nullable=False)
    as_of = sa.Column(sa.Date, nullable=False)
    status = sa.Column(sa.String(8), nullable=False, default="draft")  # draft | frozen
    # What it was made from: the rules (nominees, targets, groups) and a SHA-256 of every
    # candidate's figures, so that it can be derived again and compared.
    rules = sa.Column(sa.JSON, nullable=False)
    fingerprint = sa.Column(sa.String(64), nullable=False)
    created_at = sa.Column(sa.DateTime(timezone=True), nullable=False, default=utcnow)
    created_by = sa.Column(sa.String(NAME_LENGTH), nullable=False)
    frozen_at = sa.Column(sa.DateTime(timezone=True))
    frozen_by = sa.Column(sa.String(NAME_LENGTH))

    __table_args__ = (sa.UniqueConstraint("campaign_id", "version"),)


class NomineeChange(db.Model):
    """A reviewer's decision on a draft: an entry excluded, or one added, with the reason."""

    __tablename__ = "nominee_changes"
    id = sa.Column(sa.Integer, primary_key=True)
    list_id = sa.Column(sa.Integer, sa.ForeignKey("nominee_lists.id", ondelete="CASCADE"), nullable=False,
                        index=True)
    action = sa.Column(sa.String(8), nullable=False)  # exclude | add
    section = sa.Column(sa.String(12), nullable=False)  # collective | individual | family
    code = sa.Column(sa.String(EXTERNAL_ID_LENGTH), nullable=False)
    reason = sa.Column(sa.Text, nullable=False)
    actor = sa.Column(sa.String(NAME_LENGTH), nullable=False)
    at = sa.Column(sa.DateTime(timezone=True), nullable=False, default=utcnow)


class NomineeEntry(db.Model):
    """One nominee of a list, in list order within its section, as the exports show it."""

    __tablename__ = "nominee_entries"
    list_id = sa.Column(sa.Integer, sa.ForeignKey("nominee_lists.id", ondelete="CASCADE"), primary_key=True)
    section = sa.Column(sa.String(12), primary_key=True)
    position = sa.Column(sa.Integer, primary_key=True)  # STT, from 1 in each section
    code = sa.Column(sa.String(EXTERNAL_ID_LENGTH), nullable=False)  # unit code, external id, household code
    name = sa.Column(sa.String(NAME_LENGTH), nullable=False)
    role_unit = sa.Column(sa.String(2 * NAME_LENGTH), nullable=False)  # "Chức vụ, đơn vị"
    summary = sa.Column(sa.Text, nullable=False)  # "Tóm tắt thành tích"
    award_form = sa.Column(sa.String(NAME_LENGTH), nullable=False)  # "Hình thức khen thưởng"
    rank = sa.Column(sa.Integer)  # on the entry's board
    added = sa.Column(sa.Boolean, nullable=False, default=False)  # by a reviewer, not by the rules
