"""Campaign files (TOML, SPEC §3): validation, defaults for every rule, loading.

The stored ``Campaign.rules`` is the complete rule set — the file's values over the
defaults below — so scoring, badges and nominee lists never need to know a default.
"""
import copy
import re
import tomllib
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from accounts.models import AuditLog
from extensions import db
from web.i18n import N_, Message

from .models import ACTIVITY_KINDS, GROUPS, UNIT_KINDS, Campaign

DEFAULT_RULES = {
    "mentee_points": 20,
    "activity_points": {
        "vneid_level2": 10,        # once
        "festival": 5,             # per distinct date
        "learning_session": 2,     # per ISO week with at least one session
        "cashless_payment": 5,     # once
        "ecommerce": 5,            # once
        "digital_savings": 5,      # once
    },
    "badges": {
        "ambassador_mentees": 5,
        "pioneer_days": 90,
        # Unit badges: one class "unit_<tier>" per tier, awarded at that coverage. A file
        # may change the thresholds and add tiers (e.g. platinum = 0.95).
        "unit_tiers": {"bronze": 0.80, "silver": 0.90, "gold": 1.00},
        # The colour of each tier on the images (white text stays readable on each).
        "tier_colours": {"bronze": "#8A4B16", "silver": "#4B5563", "gold": "#8A6508"},
        # The names the badges carry (SPEC §4); a file may rename any class.
        "names": {
            "citizen": "Công dân số",
            "ambassador": "Đại sứ số",
            "pioneer": "Đảng viên tiên phong",
            "identity": "Danh tính số",
            "family": "Gia đình số",
            "unit_bronze": "Đơn vị số (đồng)",
            "unit_silver": "Đơn vị số (bạc)",
            "unit_gold": "Đơn vị số (vàng)",
        },
    },
    "nominees": {
        "collective_brackets": ["commune", "ward", "school", "agency", "enterprise", "cooperative"],
        "collectives_per_bracket": 3,
        "individual_min_mentees": 10,
        "individuals_max": 50,
        "families_per_commune": 1,
        # "Hình thức khen thưởng" of each section of the list.
        "award_forms": {
            "collective": "Bằng khen của Chủ tịch UBND tỉnh",
            "individual": "Bằng khen của Chủ tịch UBND tỉnh",
            "family": "Giấy khen của Chủ tịch UBND cấp xã",
        },
    },
    "publication": {"weekday": "mon", "hour": 6},
}
CODE = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
REQUIRED = ("code", "name", "starts_on", "ends_on", "groups", "targets")
# Tables of the rules that a file may extend with keys of its own (values like the defaults').
OPEN_TABLES = ("badges.unit_tiers", "badges.tier_colours", "badges.names")
PERSON_BADGES = ("citizen", "ambassador", "pioneer", "identity")
HOUSEHOLD_BADGES = ("family",)


@dataclass(frozen=True)
class Problem(Message):
    """A problem of a campaign file, and the rule it is about (``targets.cadre``), if one."""
    path: str | None = None


# tomllib's messages (English), by their start, and ours; each is said with its line and column.
TOML_SYNTAX = (
    ("Invalid statement", N_("line %(line)s: not a rule (write key = value, or [table] on a line of its own)")),
    ("Expected '=' after a key", N_("line %(line)s, column %(column)s: an \"=\" is expected after the key")),
    ("Cannot declare", N_("line %(line)s: this key is written twice")),
    ("Cannot overwrite a value", N_("line %(line)s: this key is written twice")),
    ("Duplicate inline table key", N_("line %(line)s: this key is written twice")),
    ("Cannot mutate immutable namespace", N_("line %(line)s: this table is already written above")),
    ("Cannot redefine namespace", N_("line %(line)s: this table is already written above")),
    ("Expected ']' at the end of a table", N_("line %(line)s: a \"]\" is missing at the end of the table's name")),
    ("Expected ']]'", N_("line %(line)s: a \"]]\" is missing at the end of the table's name")),
    ("Invalid initial character for a key", N_("line %(line)s, column %(column)s: a key cannot begin with this "
                                              "character (letters, digits, _ and -, or a text in quotes)")),
    ("Unclosed array", N_("line %(line)s: a list opened with \"[\" is not closed with \"]\"")),
    ("Unclosed inline table", N_("line %(line)s: a table opened with \"{\" is not closed with \"}\"")),
    ("Unterminated string", N_("line %(line)s: a text opened with a quote is not closed")),
    ("Unescaped", N_("line %(line)s, column %(column)s: a \\ in a text must be written \\\\")),
    ("Invalid hex value", N_("line %(line)s, column %(column)s: a \\u or \\U escape needs hexadecimal digits")),
    ("Escaped character", N_("line %(line)s, column %(column)s: this escape is not a character")),
    ("Illegal character", N_("line %(line)s, column %(column)s: this character is not allowed in a text")),
    ("Invalid date or datetime", N_("line %(line)s: not a date (write it as YYYY-MM-DD, e.g. 2026-01-01)")),
    ("Expected newline or end of document", N_("line %(line)s, column %(column)s: unexpected text after the "
                                               "value (one rule per line; a text goes between quotes)")),
    ("Invalid value", N_("line %(line)s, column %(column)s: not a value (a text goes between quotes, e.g. "
                         "name = \"Lai Châu\"; a number or a date without them)")),
)
TOML_OTHER = N_("line %(line)s, column %(column)s: not valid TOML here")
MAX_SYNTAX_ERRORS = 20
_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)$")
_TABLE_LINE = re.compile(r"\s*\[+\s*([^\]]+?)\s*\]+")
_KEY_LINE = re.compile(r"\s*([A-Za-z0-9_\-\.\"' ]+?)\s*=")


def _read_toml(text: str) -> tuple[dict, list, set]:
    """The file's tables, every syntax error (each reported line is set aside and the rest
    read again), and the rules whose lines were set aside (their other problems are not
    reported twice)."""
    lines = text.split("\n")
    problems, dropped, seen = [], set(), set()
    for _ in range(MAX_SYNTAX_ERRORS):
        try:
            return tomllib.loads("\n".join(lines)), problems, dropped
        except tomllib.TOMLDecodeError as exc:
            reason = str(exc)
            at = _TOML_AT.search(reason)
            line, column = (int(at[1]), int(at[2])) if at else (len(lines), 1)
            msgid = next((ours for start, ours in TOML_SYNTAX if reason.startswith(start)), TOML_OTHER)
            index = min(max(line - 1, 0), len(lines) - 1)
            while index > 0 and not lines[index].strip():  # the error is past the end: the last line
                index -= 1
            first = index
            opener = {"Unclosed array": "[", "Unclosed inline table": "{"}.get(reason.split(" (at")[0])
            if opener:  # said where the list (table) opens; its lines are set aside up to where it failed
                closer = "]" if opener == "[" else "}"
                first = next((i for i in range(index, -1, -1) if "=" in lines[i]
                              and lines[i].count(opener) > lines[i].count(closer)), index)
                line, column = first + 1, lines[first].index(opener) + 1
            if (line, msgid) not in seen:
                seen.add((line, msgid))
                problems.append(Problem(msgid, dict(line=line, column=column), _line_rule(lines, first)))
            if not lines[index].strip():
                break
            for i in range(first, max(index, first + 1) if first < index else index + 1):
                dropped.add(_line_rule(lines, i))
                lines[i] = ""
        except RecursionError:  # arrays or tables nested thousands deep: no campaign file is
            problems.append(Problem(N_("not a valid TOML file: %(reason)s"), dict(reason="nested too deeply")))
            break
    raise CampaignError(problems)


def _line_rule(lines: list[str], index: int) -> str | None:
    """The rule a line of the file writes (``targets.cadre``), if it writes one."""
    if not 0 <= index < len(lines):
        return None
    key = _KEY_LINE.match(lines[index])
    if not key:
        return None
    table = next((m[1] for m in map(_TABLE_LINE.match, reversed(lines[:index])) if m), None)
    name = key[1].replace('"', "").replace("'", "").strip()
    return f"{table.strip()}.{name}" if table else name


class CampaignError(Exception):
    """A campaign file is invalid; ``messages`` lists every problem found (a :class:`Problem`
    names the rule it is about)."""

    def __init__(self, messages: list[Message]):
        self.messages = messages
        super().__init__("; ".join(m.render() for m in messages))


def parse_campaign(text: str) -> dict:
    """Validate a campaign file's text and return the complete rule set (defaults filled in).
    Every problem found is raised at once: each syntax error (the rest of the file is read
    past it) and each rule's."""
    text = text.removeprefix("\ufeff")  # a BOM from Windows Notepad is not TOML
    data, problems, dropped = _read_toml(text)
    syntax = len(problems)

    def bad(msgid, at=None, **params):
        if (at or params.get("key")) not in dropped:  # a rule on a line already reported
            problems.append(Problem(msgid, params, at or params.get("key")))

    for key in REQUIRED:
        if key not in data:
            bad(N_("missing required key \"%(key)s\""), key=key)
    allowed_top = set(REQUIRED) | set(DEFAULT_RULES)
    for key in data:
        if key not in allowed_top:
            bad(N_("unknown key \"%(key)s\"; allowed keys: %(allowed)s"), key=key,
                allowed=", ".join(sorted(allowed_top)))
    if len(problems) > syntax or any(key not in data for key in REQUIRED):  # (a key on a bad line: said)
        raise CampaignError(problems)

    rules = copy.deepcopy(DEFAULT_RULES)
    for key in ("code", "name"):
        if not isinstance(data[key], str) or not data[key].strip():
            bad(N_("\"%(key)s\" must be a non-empty text"), key=key)
    if isinstance(data["code"], str) and data["code"].strip() and not CODE.fullmatch(data["code"]):
        # The code names folders (reports) and appears in URLs: nothing that could leave them.
        bad(N_("\"code\" must be 1 to 32 characters: lower-case letters a-z, digits and hyphens (e.g. "
               "bdhvs-2026)"), at="code")
    for key in ("starts_on", "ends_on"):
        if not isinstance(data[key], date) or hasattr(data[key], "hour"):
            bad(N_("\"%(key)s\" must be a date written as YYYY-MM-DD (without quotes)"), key=key)
    if not problems and data["ends_on"] < data["starts_on"]:
        bad(N_("\"ends_on\" is before \"starts_on\""), at="ends_on")
    groups = data["groups"]
    if not isinstance(groups, list) or not groups or not all(isinstance(g, str) for g in groups):
        bad(N_("\"groups\" must be a non-empty list of target groups"), at="groups")
        groups = []
    else:
        for g in groups:
            if g not in GROUPS:
                bad(N_("unknown target group \"%(group)s\"; allowed: %(allowed)s"), group=g, allowed=", ".join(GROUPS), at="groups")
        if len(set(groups)) != len(groups):
            bad(N_("\"groups\" lists a group twice"), at="groups")
    targets = data["targets"]
    if not isinstance(targets, dict):
        bad(N_("\"targets\" must be a table"), at="targets")
        targets = {}
    for g in groups:
        if g in GROUPS and g not in targets:
            bad(N_("missing target for group \"%(group)s\""), group=g, at=f"targets.{g}")
    for key, value in targets.items():
        if key == "certified":
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                bad(N_("\"targets.certified\" must be a whole number of people, at least 0"), at="targets.certified")
        elif key in groups:
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1:
                bad(N_("target of group \"%(group)s\" must be a fraction between 0 and 1 (e.g. 0.8)"), group=key, at=f"targets.{key}")
        else:
            bad(N_("target \"%(key)s\" is not one of the campaign's groups"), key=key, at=f"targets.{key}")

    def merge(defaults: dict, given, path: str):
        if not isinstance(given, dict):
            bad(N_("\"%(key)s\" must be a table"), key=path)
            return
        for key, value in given.items():
            where = f"{path}.{key}"
            if path in OPEN_TABLES and key not in defaults:
                example = next(iter(defaults.values()))
                if not isinstance(key, str) or not key.replace("_", "").isalnum() or len(key) > 24:
                    bad(N_("\"%(key)s\": a name of letters, digits and _ (at most 24)"), key=where)
                elif not _same_kind(example, value):
                    bad(N_("\"%(key)s\" has the wrong type (expected something like %(example)s)"),
                        key=where, example=repr(example))
                else:
                    defaults[key] = value
            elif key not in defaults:
                bad(N_("unknown key \"%(key)s\"; allowed keys: %(allowed)s"), key=where,
                    allowed=", ".join(sorted(defaults)))
            elif isinstance(defaults[key], dict):
                merge(defaults[key], value, where)
            elif not _same_kind(defaults[key], value):
                bad(N_("\"%(key)s\" has the wrong type (expected something like %(example)s)"),
                    key=where, example=repr(defaults[key]))
            else:
                defaults[key] = value

    for key in DEFAULT_RULES:
        if key in data:
            if isinstance(DEFAULT_RULES[key], dict):
                merge(rules[key], data[key], key)
            elif not _same_kind(DEFAULT_RULES[key], data[key]):
                bad(N_("\"%(key)s\" has the wrong type (expected something like %(example)s)"),
                    key=key, example=repr(DEFAULT_RULES[key]))
            else:
                rules[key] = data[key]
    _check_values(rules, bad)
    if problems:
        raise CampaignError(problems)
    rules.update(
        code=data["code"].strip(), name=data["name"].strip(),
        starts_on=data["starts_on"].isoformat(), ends_on=data["ends_on"].isoformat(),
        groups=list(groups), targets={k: float(v) if k != "certified" else v for k, v in targets.items()},
    )
    return rules


def _same_kind(default, value) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, (int, float)):
        return isinstance(value, (int, float))
    if isinstance(default, list):
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, type(default))


def _check_values(rules: dict, bad) -> None:
    if rules["mentee_points"] < 0:
        bad(N_("\"%(key)s\" must be at least 0"), key="mentee_points")
    for kind, points in rules["activity_points"].items():
        if kind not in ACTIVITY_KINDS:
            bad(N_("unknown activity kind \"%(kind)s\""), kind=kind, at=f"activity_points.{kind}")
        if points < 0:
            bad(N_("\"%(key)s\" must be at least 0"), key=f"activity_points.{kind}")
    badges = rules["badges"]
    tiers = badges["unit_tiers"]
    if not all(0 < v <= 1 for v in tiers.values()):
        bad(N_("unit badge tiers must be coverages between 0 and 1"), at="badges.unit_tiers")
    for tier, colour in badges["tier_colours"].items():
        if not (len(colour) == 7 and colour[0] == "#" and all(c in "0123456789abcdefABCDEF" for c in colour[1:])):
            bad(N_("\"%(key)s\" must be a colour written as #RRGGBB"), key=f"badges.tier_colours.{tier}")
    classes = (*PERSON_BADGES, *HOUSEHOLD_BADGES, *(f"unit_{t}" for t in tiers))
    for tier in tiers:
        if f"unit_{tier}" not in badges["names"]:
            bad(N_("the unit badge tier \"%(tier)s\" needs a name: badges.names.unit_%(tier)s"), tier=tier, at=f"badges.names.unit_{tier}")
    for code, name in badges["names"].items():
        if code not in classes:
            bad(N_("\"%(key)s\" names no badge; badges: %(allowed)s"), key=f"badges.names.{code}",
                allowed=", ".join(classes))
        elif not name.strip():
            bad(N_("\"%(key)s\" must be a non-empty text"), key=f"badges.names.{code}")
    for b in rules["nominees"]["collective_brackets"]:
        if b not in UNIT_KINDS:
            bad(N_("unknown bracket \"%(bracket)s\" in nominees.collective_brackets"), bracket=b, at="nominees.collective_brackets")
    for key in ("collectives_per_bracket", "individual_min_mentees", "individuals_max", "families_per_commune"):
        value = rules["nominees"][key]
        if not isinstance(value, int) or value < 0:
            bad(N_("\"%(key)s\" must be a whole number, at least 0"), key=f"nominees.{key}")
    for key in ("ambassador_mentees", "pioneer_days"):
        value = rules["badges"][key]
        if not isinstance(value, int) or value < 1:
            bad(N_("\"%(key)s\" must be a whole number, at least 1"), key=f"badges.{key}")
    if rules["publication"]["weekday"] not in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
        bad(N_("\"publication.weekday\" must be one of mon, tue, wed, thu, fri, sat, sun"), at="publication.weekday")
    if not 0 <= rules["publication"]["hour"] <= 23:
        bad(N_("\"publication.hour\" must be between 0 and 23"), at="publication.hour")


def load_campaign(text: str, *, actor: str) -> tuple[Campaign, bool]:
    """Create or update the campaign described by ``text``; returns (campaign, created)."""
    rules = parse_campaign(text)
    campaign = db.session.scalar(select(Campaign).where(Campaign.code == rules["code"]))
    created = campaign is None
    if created:
        campaign = Campaign(code=rules["code"])
        db.session.add(campaign)
    campaign.name = rules["name"]
    campaign.starts_on = date.fromisoformat(rules["starts_on"])
    campaign.ends_on = date.fromisoformat(rules["ends_on"])
    campaign.rules = rules
    campaign.source_toml = text
    db.session.add(AuditLog(actor=actor, action="campaign.create" if created else "campaign.update",
                            target=rules["code"], details={"name": rules["name"]}))
    db.session.commit()
    return campaign, created


# ---------------------------------------------------------------- the rules form

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class RuleField:
    """One rule of a campaign file as a form field: ``path`` is its place in the file
    (``targets.cadre``), ``kind`` one of text, number, date, choice (one of ``choices``),
    choices (a list of ``choices``), colour; ``value`` what the field shows."""
    path: str
    kind: str
    value: object
    choices: tuple = ()

    @property
    def id(self) -> str:
        return "rule-" + self.path.replace(".", "-")


def _leaf_kind(path: str, value) -> tuple[str, tuple]:
    if path == "publication.weekday":
        return "choice", WEEKDAYS
    if path == "nominees.collective_brackets":
        return "choices", UNIT_KINDS
    if path.startswith("badges.tier_colours."):
        return "colour", ()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "number", ()
    return "text", ()


def rule_fields(rules: dict) -> list[RuleField]:
    """Every rule of a complete rule set (``Campaign.rules``) as a field, in the file's order:
    the campaign itself, its groups and targets, then every table of DEFAULT_RULES (with the
    keys a file added to the open tables, such as a tier)."""
    fields = [RuleField("name", "text", rules["name"]), RuleField("starts_on", "date", rules["starts_on"]),
              RuleField("ends_on", "date", rules["ends_on"]), RuleField("groups", "choices", tuple(rules["groups"]),
                                                                         GROUPS)]
    targets = rules["targets"]
    fields += [RuleField(f"targets.{g}", "number", targets.get(g)) for g in GROUPS]
    fields.append(RuleField("targets.certified", "number", targets.get("certified")))

    def walk(prefix: str, table: dict):
        for key, value in table.items():
            path = f"{prefix}{key}"
            if isinstance(value, dict):
                walk(path + ".", value)
            else:
                kind, choices = _leaf_kind(path, value)
                fields.append(RuleField(path, kind, tuple(value) if isinstance(value, list) else value, choices))

    walk("", {key: rules[key] for key in DEFAULT_RULES})
    return fields


def _typed(kind: str, text: str):
    """What a field's text stands for in the file. Text that is not of the field's kind is
    written as text, so that the loader's own rule refuses it (in its words, at its key)."""
    text = text.strip()
    if kind == "number":
        number = text.replace(",", ".").replace(" ", "")
        if re.fullmatch(r"-?\d+", number):
            return int(number)
        if re.fullmatch(r"-?\d+\.\d*|-?\.\d+", number):
            return float(number)
    elif kind == "date":
        try:
            return date.fromisoformat(text)
        except ValueError:
            match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)  # as the pages write dates
            if match:
                try:
                    return date(int(match[3]), int(match[2]), int(match[1]))
                except ValueError:
                    pass
    return text


def edited_campaign_file(source: str, rules: dict, form) -> str:
    """The campaign file ``source`` with the values of the rules form ``form`` (a mapping of
    field paths to texts, with ``getlist`` for lists): a rule that differs from ``rules`` (the
    campaign's complete rules) is written in place, where the file has it, else into its
    table; the rest of the file, comments and layout included, is left as it is. The result
    is not validated: ``parse_campaign`` does that, as for any file."""
    import tomlkit

    doc = tomlkit.parse(source.removeprefix("\ufeff"))
    current = {f.path: f.value for f in rule_fields(rules)}
    for f in rule_fields(rules):
        if f.kind == "choices":
            chosen = set(form.getlist(f.path))
            value = [c for c in f.choices if c in chosen]
            if set(value) != set(current[f.path]):  # the order of a list means nothing
                _put(doc, f.path, value)
            continue
        if f.path not in form:
            continue
        text = form.get(f.path, "")
        if f.path.startswith("targets.") and not text.strip():
            _drop(doc, f.path)  # a group left out (or a target left blank: the loader says so)
            continue
        value = _typed(f.kind, text)
        before = current[f.path]
        if f.kind == "date":
            before = date.fromisoformat(before)
        if value != before or isinstance(value, str) != isinstance(before, str):
            _put(doc, f.path, value)  # only what changed: 1.00 stays written 1.00
    return tomlkit.dumps(doc)


def _put(doc, path: str, value) -> None:
    import tomlkit

    *tables, key = path.split(".")
    node = doc
    for part in tables:
        if part not in node or not hasattr(node[part], "keys"):
            node[part] = tomlkit.table()
        node = node[part]
    if key in node and hasattr(node[key], "keys"):  # a table written where a value belongs: the loader says so
        return
    node[key] = value


def _drop(doc, path: str) -> None:
    *tables, key = path.split(".")
    node = doc
    for part in tables:
        if part not in node:
            return
        node = node[part]
    if hasattr(node, "keys") and key in node:
        del node[key]


def problems_by_field(fields: list[RuleField], problems: list[Message]) -> tuple[dict[str, list[str]], list[str]]:
    """The loader's problems at their fields (a problem of a table, such as the unit tiers,
    at its first field), and those of no field."""
    at: dict[str, list[str]] = {}
    rest = []
    paths = [f.path for f in fields]
    for p in problems:
        path = getattr(p, "path", None)
        target = path if path in paths else next((q for q in paths if path and q.startswith(path + ".")), None)
        if target is None:
            rest.append(p.render())
        else:
            at.setdefault(target, []).append(p.render())
    return at, rest
