"""The badge classes of a campaign (SPEC §4): the campaign file's badge rules over the
defaults, key by key, so that a campaign stored before a rule existed still has it."""
from types import SimpleNamespace

from badges.classes import NEUTRAL_COLOUR, badge_classes


def _classes(rules: dict) -> dict:
    return badge_classes(SimpleNamespace(rules=rules))


def test_a_campaign_without_badge_rules_has_the_default_classes():
    classes = _classes({})
    assert list(classes) == ["citizen", "ambassador", "pioneer", "identity", "family",
                             "unit_bronze", "unit_silver", "unit_gold"]
    assert classes["ambassador"].threshold == 5 and classes["ambassador"].rule == "mentees"
    assert classes["pioneer"].threshold == 90 and classes["citizen"].threshold is None
    assert classes["family"].name == "Gia đình số" and classes["family"].recipient == "household"
    assert [(c.tier, c.threshold, c.colour, c.name) for c in classes.values() if c.recipient == "unit"] == [
        ("bronze", 0.8, "#8A4B16", "Đơn vị số (đồng)"), ("silver", 0.9, "#4B5563", "Đơn vị số (bạc)"),
        ("gold", 1.0, "#8A6508", "Đơn vị số (vàng)")]


def test_a_rule_the_campaign_left_out_keeps_its_default_and_the_others_are_the_campaign_s():
    classes = _classes({"badges": {"ambassador_mentees": 7, "unit_tiers": {"basic": 0.5, "gold": 0.95}}})
    assert classes["ambassador"].threshold == 7
    assert classes["pioneer"].threshold == 90  # not in the file: the default
    assert classes["citizen"].name == "Công dân số"  # names not in the file: the defaults
    units = [c for c in classes.values() if c.recipient == "unit"]
    assert [(c.code, c.threshold) for c in units] == [("unit_basic", 0.5), ("unit_gold", 0.95)]
    # a tier without a colour or a name of its own: the neutral colour, its code as its name
    assert (units[0].colour, units[0].name) == (NEUTRAL_COLOUR, "unit_basic")
    assert (units[1].colour, units[1].name) == ("#8A6508", "Đơn vị số (vàng)")


def test_names_and_colours_given_replace_the_defaults():
    classes = _classes({"badges": {"pioneer_days": 30, "names": {"citizen": "Công dân số Lai Châu"},
                                   "tier_colours": {"bronze": "#000000"}}})
    assert classes["pioneer"].threshold == 30 and classes["ambassador"].threshold == 5
    assert classes["citizen"].name == "Công dân số Lai Châu"
    assert classes["unit_bronze"].colour == "#000000"
