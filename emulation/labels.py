"""The domain's words as the UI shows them (translated at render time)."""
from flask_babel import lazy_gettext as _l

GROUP_NAMES = {
    "cadre": _l("Cadres and public employees"),
    "student": _l("Pupils and students"),
    "worker": _l("Workers"),
    "citizen": _l("Citizens"),
}
UNIT_KIND_NAMES = {
    "province": _l("province"), "commune": _l("commune"), "ward": _l("ward"), "agency": _l("agency"),
    "school": _l("school"), "enterprise": _l("enterprise"), "cooperative": _l("cooperative"),
    "village": _l("village"), "residential_group": _l("residential group"), "class": _l("class"),
    "other": _l("other"),
}
SOURCE_NAMES = {
    "mooc": _l("online course (MOOC)"), "vneid": _l("VNeID"), "session": _l("learning session"),
    "assessment": _l("assessment"), "manual": _l("entered by staff"),
}
ACTIVITY_NAMES = {
    "vneid_level2": _l("VNeID level 2 account"), "learning_session": _l("learning session"),
    "festival": _l("digital festival"), "cashless_payment": _l("cashless payment"),
    "ecommerce": _l("e-commerce"), "digital_savings": _l("digital savings"),
}

# The files of SPEC §2 (the file's own name stays visible: it is what the columns refer to).
IMPORT_KIND_NAMES = {
    "units": _l("Units (units)"),
    "households": _l("Households (households)"),
    "people": _l("People (people)"),
    "mentorships": _l("Mentorships (mentorships)"),
    "skills": _l("Skills framework (skills)"),
    "completions": _l("Skill completions (completions)"),
    "activities": _l("Activities (activities)"),
}


def _audit_words():
    """The names of the domain's actions in the audit log, and of their details."""

    actions = {
        "unit.hide_pupils": _l("School's pupils kept off the public pages"),
        "unit.show_pupils": _l("School's pupils shown on the public pages again"),
        "campaign.create": _l("Campaign created"), "campaign.update": _l("Campaign rules changed"),
        "nominees.generate": _l("Nominee list generated"), "nominees.exclude": _l("Nominee excluded"),
        "nominees.add": _l("Nominee added"), "nominees.freeze": _l("Nominee list frozen"),
        "nominees.rederive": _l("Nominee list derived again"), "nominees.download": _l("Nominee list downloaded"),
    }
    for kind, name in IMPORT_KIND_NAMES.items():
        actions[f"import.{kind}"] = _l("Import: %(kind)s", kind=name)
        actions[f"import.{kind}.dry_run"] = _l("Check without importing: %(kind)s", kind=name)
        actions[f"import.{kind}.rejected"] = _l("Import refused: %(kind)s", kind=name)
    details = {
        "sha256": _l("file fingerprint (SHA-256)"), "rows_in": _l("rows read"), "rows_accepted": _l("rows accepted"),
        "rows_rejected": _l("rows rejected"), "rows_changed": _l("records created or changed"),
        "skip_invalid": _l("invalid rows set aside"), "dry_run": _l("check only"),
        "national_id_conflicts": _l("national ids registered elsewhere"), "file_error": _l("error in the file"),
        "as_of": _l("figures as of"), "entries": _l("entries"), "fingerprint": _l("data fingerprint"),
        "section": _l("section"), "code": _l("code"), "matches": _l("still matches"),
        "same_data": _l("same data"), "list": _l("list"), "format": _l("format"),
    }
    values = {"section": {"collective": _l("Collectives"), "individual": _l("Individuals"),
                          "family": _l("Families")}}
    return actions, details, values


def register_labels(app) -> None:
    from accounts.audit import name_actions

    name_actions(*_audit_words())
    app.jinja_env.globals.update(group_names=GROUP_NAMES, unit_kind_names=UNIT_KIND_NAMES,
                                 source_names=SOURCE_NAMES, activity_names=ACTIVITY_NAMES,
                                 import_kind_names=IMPORT_KIND_NAMES)
