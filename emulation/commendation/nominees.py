"""Nominee lists for commendation (SPEC §5), from the stored scores as of a date.

A list is derived from the campaign's rules (``rules["nominees"]`` with the targets and
groups), the scores as of its date and the reviewers' decisions (entries excluded or
added, each with a reason):

- collectives: per bracket of ``collective_brackets``, the units whose every campaign group
  with people to count meets its target, best first by the units board, at most
  ``collectives_per_bracket`` each;
- individuals: people with at least ``individual_min_mentees`` universalized mentees, by
  mentees ↓, points ↓ (then external id), at most ``individuals_max``;
- families: digital families, best first by the households board, at most
  ``families_per_commune`` per commune or ward;
- ineligible people and units never appear, and neither does an entry a reviewer
  excluded: the next in line moves up. Entries a reviewer added follow the rule's ones.

A draft is derived again after each decision; ``freeze`` ends that, and a frozen list never
changes. ``generate`` makes a new version. Each list keeps its rules, date and a
fingerprint (SHA-256) of every candidate's figures, and ``rederive`` derives it again from
the data of now to show whether it still matches. Every step goes to the audit log.

The texts of the list are the official Vietnamese ones, whatever the reader's language.
"""
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from accounts.models import AuditLog
from emulation.campaigns import DEFAULT_RULES
from emulation.clock import as_date
from emulation.labels import UNIT_KIND_NAMES
from emulation.models import COMMUNE_KINDS, Campaign, NomineeChange, NomineeEntry, NomineeList, Unit
from emulation.scoring.scores import SORT_KEYS, ensure_scores
from extensions import db

SECTIONS = ("collective", "individual", "family")


class NomineeError(Exception):
    pass


@dataclass
class Entry:
    """A nominee as the list and its exports show it."""
    section: str
    code: str
    name: str
    role_unit: str
    summary: str
    award_form: str
    rank: int | None
    added: bool = False
    # The figures it was chosen on (in the fingerprint, not shown).
    figures: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass
class Derived:
    entries: list[Entry]
    fingerprint: str
    candidates: int  # meeting the rules, before exclusions and limits


def list_rules(campaign: Campaign) -> dict:
    """What a list keeps of the campaign's rules (a rule stored before it existed gets its
    default)."""
    rules = campaign.rules
    nominees = {**DEFAULT_RULES["nominees"], **rules["nominees"]}
    return {"nominees": nominees, "targets": rules["targets"], "groups": rules["groups"]}


# ----------------------------------------------------------------------------- deriving

def derive(campaign: Campaign, as_of: date, rules: dict, changes: list[NomineeChange]) -> Derived:
    """The entries of a list and the fingerprint of the data it is made from (the stored
    scores are brought to ``as_of`` first)."""
    ensure_scores(campaign, as_of)
    cid = campaign.id
    excluded = {(c.section, c.code) for c in changes if c.action == "exclude"}
    added = [(c.section, c.code) for c in changes if c.action == "add"]
    wanted = {s: {code for sec, code in added if sec == s} for s in SECTIONS}
    nominees = rules["nominees"]
    forms = nominees["award_forms"]
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "vi")):
        pools = {
            "collective": _collectives(cid, rules, wanted["collective"]),
            "individual": _individuals(cid, nominees["individual_min_mentees"], wanted["individual"]),
            "family": _families(cid, wanted["family"]),
        }
        limits = {"collective": ("group", nominees["collectives_per_bracket"]),
                  "individual": (None, nominees["individuals_max"]),
                  "family": ("group", nominees["families_per_commune"])}
        entries, fingerprint_rows, candidates = [], [], 0
        for section in SECTIONS:
            chosen, taken = [], defaultdict(int)
            key, limit = limits[section]
            for c in pools[section]:
                if not c["meets"]:
                    continue
                candidates += 1
                fingerprint_rows.append([section, c["code"], c["fingerprint"]])
                if not c["eligible"] or (section, c["code"]) in excluded:
                    continue
                group = c["group"] if key else None
                if taken[group] >= limit:
                    continue
                taken[group] += 1
                chosen.append(c)
            by_code = {c["code"]: c for c in pools[section]}
            extra = []
            for sec, code in added:
                if sec != section or any(c["code"] == code for c in chosen) or (sec, code) in excluded:
                    continue
                if code not in by_code:
                    raise NomineeError(_("No %(what)s with the code %(code)s.", what=_section_noun(section),
                                         code=code))
                extra.append(by_code[code])
                fingerprint_rows.append([section, code, by_code[code]["fingerprint"]])
            for c in chosen + extra:  # the texts only for those shown (a province has 76,000 families)
                entries.append(Entry(section, c["code"], c["name"](), c["role_unit"], c["summary"](),
                                     forms.get(section, ""), c["rank"], c in extra, c["fingerprint"]))
    data = json.dumps([rules, as_of.isoformat(), fingerprint_rows], ensure_ascii=False, sort_keys=True,
                      default=str)
    return Derived(entries, hashlib.sha256(data.encode("utf-8")).hexdigest(), candidates)


def _section_noun(section: str) -> str:
    return {"collective": _("unit"), "individual": _("person"), "family": _("household")}[section]


def _rows(sql: str, **params):
    """The rows of ``sql``; ``:wanted`` (the codes reviewers added) is a list."""
    statement = sa.text(sql)
    if ":wanted" in sql:
        statement = statement.bindparams(sa.bindparam("wanted", expanding=True, type_=sa.String))
    return db.session.execute(statement, params).mappings().all()


def _collectives(cid: int, rules: dict, wanted: set[str]) -> list[dict]:
    brackets = list(rules["nominees"]["collective_brackets"])
    targets, groups = rules["targets"], rules["groups"]
    rows = _rows(f"""
        SELECT u.code, u.name, u.kind, u.eligible, p.name AS parent, s.bracket, s.coverage, s.points_per_capita,
               s.reached_on, s.universalized, s.headcount, s.by_group,
               RANK() OVER (PARTITION BY s.bracket ORDER BY {SORT_KEYS['units']}) AS rank,
               COUNT(*) OVER (PARTITION BY s.bracket) AS board
        FROM unit_scores s JOIN units u ON u.id = s.unit_id LEFT JOIN units p ON p.id = u.parent_id
        WHERE s.campaign_id = :cid AND s.headcount > 0
        ORDER BY s.bracket, rank, u.code""", cid=cid)
    out = []
    for r in rows:
        by_group = r["by_group"] if isinstance(r["by_group"], dict) else json.loads(r["by_group"])
        in_brackets = r["bracket"] in brackets
        if not in_brackets and r["code"] not in wanted:
            continue
        meets = in_brackets and all(by_group[g][0] / by_group[g][1] >= targets[g]
                                    for g in groups if g in by_group and by_group[g][1])
        kind = str(UNIT_KIND_NAMES.get(r["kind"], r["kind"]))
        bracket_name = str(UNIT_KIND_NAMES.get(r["bracket"], r["bracket"]))
        out.append({
            "code": r["code"], "name": lambda r=r: r["name"], "group": r["bracket"], "meets": meets,
            "eligible": bool(r["eligible"]), "rank": r["rank"],
            "role_unit": f"{kind[:1].upper()}{kind[1:]}, {r['parent']}" if r["parent"] else kind,
            "summary": lambda r=r, bracket_name=bracket_name: _(
                "Digital skills universalized: %(share)s (%(n)s/%(d)s); ranked %(rank)s of %(board)s (%(bracket)s).",
                share=_pct(r["coverage"]), n=_num(r["universalized"]), d=_num(r["headcount"]), rank=_num(r["rank"]),
                board=_num(r["board"]), bracket=bracket_name),
            "fingerprint": [r["coverage"], r["points_per_capita"], str(as_date(r["reached_on"])), by_group,
                            bool(r["eligible"]), r["rank"]],
        })
    return out


def _individuals(cid: int, min_mentees: int, wanted: set[str]) -> list[dict]:
    rows = _rows(f"""
        SELECT * FROM (
            SELECT p.external_id AS code, p.full_name, p.position, p.eligible, u.name AS unit, s.mentees, s.points,
                   RANK() OVER (ORDER BY {SORT_KEYS['people']}) AS rank, COUNT(*) OVER () AS board
            FROM person_scores s JOIN people p ON p.id = s.person_id JOIN units u ON u.id = s.unit_id
            WHERE s.campaign_id = :cid
        ) x WHERE mentees >= :least OR code IN :wanted
        ORDER BY mentees DESC, points DESC, code""", cid=cid, least=min_mentees, wanted=sorted(wanted))
    out = []
    for r in rows:
        out.append({
            "code": r["code"], "name": lambda r=r: r["full_name"], "group": None, "meets": r["mentees"] >= min_mentees,
            "eligible": bool(r["eligible"]), "rank": r["rank"],
            "role_unit": f"{r['position']}, {r['unit']}" if r["position"] else r["unit"],
            "summary": lambda r=r: _(
                "Mentored %(mentees)s people to universal digital skills; %(points)s points; ranked %(rank)s of "
                "%(board)s people.", mentees=_num(r["mentees"]), points=_num(r["points"]), rank=_num(r["rank"]),
                board=_num(r["board"])),
            "fingerprint": [r["mentees"], r["points"], bool(r["eligible"]), r["rank"]],
        })
    return out


def _families(cid: int, wanted: set[str]) -> list[dict]:
    communes = dict(db.session.execute(sa.select(Unit.id, Unit.name).where(Unit.kind.in_(COMMUNE_KINDS))).all())
    rows = _rows(f"""
        SELECT * FROM (
            SELECT h.code, h.head_name, u.name AS unit, u.path, u.eligible, s.digital_family, s.achieved_on,
                   s.members, s.active_members, s.points,
                   RANK() OVER (ORDER BY {SORT_KEYS['households']}) AS rank, COUNT(*) OVER () AS board
            FROM household_scores s JOIN households h ON h.id = s.household_id JOIN units u ON u.id = s.unit_id
            WHERE s.campaign_id = :cid
        ) x WHERE digital_family = TRUE OR code IN :wanted
        ORDER BY rank, code""", cid=cid, wanted=sorted(wanted))
    out = []
    for r in rows:
        commune = next((int(i) for i in reversed(r["path"].strip("/").split("/")) if i and int(i) in communes), None)
        family = bool(r["digital_family"])

        def summary(r=r, family=family):
            figures = dict(active=_num(r["active_members"]), members=_num(r["members"]), points=_num(r["points"]),
                           rank=_num(r["rank"]), board=_num(r["board"]))
            if family:
                return _("Digital family since %(day)s; %(active)s of %(members)s members learning digital skills; "
                         "%(points)s points; ranked %(rank)s of %(board)s households.", day=_day(r["achieved_on"]),
                         **figures)
            return _("%(active)s of %(members)s members learning digital skills; %(points)s points; ranked "
                     "%(rank)s of %(board)s households.", **figures)

        out.append({
            "code": r["code"], "name": lambda r=r: (_("Household of %(head)s", head=r["head_name"]) if r["head_name"]
                                                    else _("Household %(code)s", code=r["code"])),
            "group": commune, "meets": family, "eligible": bool(r["eligible"]), "rank": r["rank"],
            "role_unit": f"{r['unit']}, {communes[commune]}" if commune and communes[commune] != r["unit"]
            else r["unit"],
            "summary": summary,
            "fingerprint": [family, str(as_date(r["achieved_on"])), r["members"], r["active_members"], r["points"],
                            bool(r["eligible"]), r["rank"]],
        })
    return out


def _num(value) -> str:
    from web.formatting import format_num

    return format_num(value)


def _pct(value) -> str:
    from web.formatting import format_pct

    return format_pct(value)


def _day(value) -> str:
    from web.formatting import format_day

    return format_day(as_date(value))


# ----------------------------------------------------------------------------- lists

def _audit(actor: str, action: str, lst: NomineeList, **details) -> None:
    db.session.add(AuditLog(actor=actor, action=f"nominees.{action}", target=f"{lst.campaign_id}:v{lst.version}",
                            details={"list": lst.id, **details}))


def _store(lst: NomineeList, derived: Derived) -> None:
    db.session.execute(sa.delete(NomineeEntry).where(NomineeEntry.list_id == lst.id))
    positions = defaultdict(int)
    rows = []
    for e in derived.entries:
        positions[e.section] += 1
        rows.append({"list_id": lst.id, "section": e.section, "position": positions[e.section], "code": e.code,
                     "name": e.name, "role_unit": e.role_unit, "summary": e.summary, "award_form": e.award_form,
                     "rank": e.rank, "added": e.added})
    if rows:
        db.session.execute(sa.insert(NomineeEntry), rows)
    lst.fingerprint = derived.fingerprint


def generate(campaign: Campaign, as_of: date, *, actor: str) -> NomineeList:
    """A new version of the campaign's list, as a draft."""
    rules = list_rules(campaign)
    derived = derive(campaign, as_of, rules, [])
    campaign = db.session.get(Campaign, campaign.id)
    version = (db.session.scalar(sa.select(sa.func.max(NomineeList.version))
                                 .where(NomineeList.campaign_id == campaign.id)) or 0) + 1
    lst = NomineeList(campaign_id=campaign.id, version=version, as_of=as_of, status="draft", rules=rules,
                      fingerprint=derived.fingerprint, created_by=actor)
    db.session.add(lst)
    db.session.flush()
    _store(lst, derived)
    _audit(actor, "generate", lst, as_of=as_of.isoformat(), entries=len(derived.entries),
           fingerprint=derived.fingerprint)
    db.session.commit()
    return lst


def changes_of(lst: NomineeList) -> list[NomineeChange]:
    return db.session.scalars(sa.select(NomineeChange).where(NomineeChange.list_id == lst.id)
                              .order_by(NomineeChange.id)).all()


def entries_of(lst: NomineeList) -> list[NomineeEntry]:
    order = sa.case({s: i for i, s in enumerate(SECTIONS)}, value=NomineeEntry.section)
    return db.session.scalars(sa.select(NomineeEntry).where(NomineeEntry.list_id == lst.id)
                              .order_by(order, NomineeEntry.position)).all()


def decide(lst: NomineeList, action: str, section: str, code: str, reason: str, *, actor: str) -> None:
    """A reviewer excludes an entry or adds one, with a written reason; the draft is derived again."""
    if lst.status != "draft":
        raise NomineeError(_("This list is frozen: it can no longer change. Generate a new version."))
    if action not in ("exclude", "add") or section not in SECTIONS:
        raise NomineeError(_("Unknown change."))
    code, reason = code.strip(), reason.strip()
    if not code:
        raise NomineeError(_("Give the code of the entry."))
    if len(reason) < 5:
        raise NomineeError(_("Write the reason (at least a few words)."))
    if action == "exclude" and not db.session.scalar(sa.select(NomineeEntry.code).where(
            NomineeEntry.list_id == lst.id, NomineeEntry.section == section, NomineeEntry.code == code)):
        raise NomineeError(_("%(code)s is not on this list.", code=code))
    change = NomineeChange(list_id=lst.id, action=action, section=section, code=code, reason=reason, actor=actor)
    campaign = db.session.get(Campaign, lst.campaign_id)
    derived = derive(campaign, as_date(lst.as_of), lst.rules, [*changes_of(lst), change])
    lst = db.session.get(NomineeList, lst.id)
    db.session.add(change)
    _store(lst, derived)
    _audit(actor, action, lst, section=section, code=code, reason=reason)
    db.session.commit()


def freeze(lst: NomineeList, *, actor: str) -> None:
    if lst.status != "draft":
        raise NomineeError(_("This list is already frozen."))
    lst.status = "frozen"
    lst.frozen_at = datetime.now(timezone.utc)
    lst.frozen_by = actor
    _audit(actor, "freeze", lst, fingerprint=lst.fingerprint)
    db.session.commit()


@dataclass
class Rederived:
    matches: bool  # the same entries, in the same order, with the same texts
    same_data: bool  # the same fingerprint
    differences: list[str]


def rederive(lst: NomineeList, *, actor: str) -> Rederived:
    """Derive the list again from its rules, date and decisions, on the data of now."""
    stored = [Entry(e.section, e.code, e.name, e.role_unit, e.summary, e.award_form, e.rank, e.added)
              for e in entries_of(lst)]
    fingerprint = lst.fingerprint
    campaign = db.session.get(Campaign, lst.campaign_id)
    derived = derive(campaign, as_date(lst.as_of), lst.rules, changes_of(lst))
    lst = db.session.get(NomineeList, lst.id)
    differences = []
    now = {(e.section, e.code): e for e in derived.entries}
    before = {(e.section, e.code): e for e in stored}
    for key in before.keys() - now.keys():
        differences.append(_("%(code)s (%(section)s) would no longer be on the list.", code=key[1],
                             section=key[0]))
    for key in now.keys() - before.keys():
        differences.append(_("%(code)s (%(section)s) would now be on the list.", code=key[1], section=key[0]))
    for key in before.keys() & now.keys():
        if before[key] != now[key]:
            differences.append(_("%(code)s (%(section)s): its row would read differently.", code=key[1],
                                 section=key[0]))
    if not differences and [(e.section, e.code) for e in stored] != [(e.section, e.code) for e in derived.entries]:
        differences.append(_("The order of the entries would differ."))
    result = Rederived(not differences, derived.fingerprint == fingerprint, sorted(differences))
    _audit(actor, "rederive", lst, matches=result.matches, same_data=result.same_data)
    db.session.commit()
    return result
