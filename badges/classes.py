"""The badge classes of a campaign (SPEC §4), from its rules: the defaults of
``emulation.campaigns.DEFAULT_RULES["badges"]`` with what the campaign file changed or added
(thresholds, names, unit tiers and their colours)."""
from dataclasses import dataclass

from emulation.campaigns import DEFAULT_RULES, HOUSEHOLD_BADGES, PERSON_BADGES

NEUTRAL_COLOUR = "#0B5345"  # the app's green, for classes without a tier
UNIT_PREFIX = "unit_"


@dataclass(frozen=True)
class BadgeClass:
    code: str
    name: str
    recipient: str  # person | household | unit
    rule: str  # universalized | mentees | pioneer | identity | digital_family | coverage
    threshold: float | None = None  # mentees (ambassador), days (pioneer), coverage (unit tiers)
    tier: str | None = None
    colour: str = NEUTRAL_COLOUR


def _badge_rules(campaign) -> dict:
    """The campaign's badge rules; rules stored before a key existed get its default."""
    defaults = DEFAULT_RULES["badges"]
    given = campaign.rules.get("badges", {})
    return {key: given.get(key, default) for key, default in defaults.items()}


def badge_classes(campaign) -> dict[str, BadgeClass]:
    """Every badge class of ``campaign`` by code, in a stable order (people's, the
    family's, then the unit tiers from the lowest coverage)."""
    rules = _badge_rules(campaign)
    names, colours = rules["names"], rules["tier_colours"]
    rule_of = {"citizen": "universalized", "ambassador": "mentees", "pioneer": "pioneer", "identity": "identity"}
    out = {}
    for code in PERSON_BADGES:
        threshold = {"ambassador": rules["ambassador_mentees"], "pioneer": rules["pioneer_days"]}.get(code)
        out[code] = BadgeClass(code, names.get(code, code), "person", rule_of[code], threshold)
    for code in HOUSEHOLD_BADGES:
        out[code] = BadgeClass(code, names.get(code, code), "household", "digital_family")
    for tier, coverage in sorted(rules["unit_tiers"].items(), key=lambda t: (t[1], t[0])):
        code = UNIT_PREFIX + tier
        out[code] = BadgeClass(code, names.get(code, code), "unit", "coverage", coverage, tier,
                               colours.get(tier, NEUTRAL_COLOUR))
    return out
