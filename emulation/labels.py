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


def register_labels(app) -> None:
    app.jinja_env.globals.update(group_names=GROUP_NAMES, unit_kind_names=UNIT_KIND_NAMES,
                                 source_names=SOURCE_NAMES, activity_names=ACTIVITY_NAMES,
                                 import_kind_names=IMPORT_KIND_NAMES)
