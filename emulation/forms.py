"""Forms of the emulation pages (Flask-WTF: every form carries a CSRF token)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

REQUIRED = _l("This field is required.")

KIND_NAMES = {
    "units": _l("Units (units)"),
    "households": _l("Households (households)"),
    "people": _l("People (people)"),
    "mentorships": _l("Mentorships (mentorships)"),
    "skills": _l("Skills framework (skills)"),
    "completions": _l("Skill completions (completions)"),
    "activities": _l("Activities (activities)"),
}


class ImportForm(FlaskForm):
    kind = SelectField(_l("What the file holds"), validate_choice=True)
    file = FileField(_l("File (.csv or .xlsx)"), validators=[FileRequired(REQUIRED)])
    dry_run = BooleanField(_l("Check only (dry run): show what would change, write nothing"), default=True)
    skip_invalid = BooleanField(_l("Import the valid rows and set the invalid ones aside"))

    def __init__(self, kinds, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k, KIND_NAMES[k]) for k in kinds]


class CampaignForm(FlaskForm):
    toml = TextAreaField(_l("Campaign file (TOML)"), validators=[DataRequired(REQUIRED), Length(max=100_000)])
