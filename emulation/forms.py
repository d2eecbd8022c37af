"""Forms of the emulation pages (Flask-WTF: every form carries a CSRF token)."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from web import Form

from .labels import IMPORT_KIND_NAMES

REQUIRED = _l("This field is required.")
TOO_LONG = _l("At most %(max)d characters.")


class ImportForm(Form):
    kind = SelectField(_l("What the file holds"), validate_choice=True)
    file = FileField(_l("File (.csv or .xlsx)"), validators=[FileRequired(REQUIRED)])
    dry_run = BooleanField(_l("Check only (dry run): show what would change, write nothing"), default=True)
    skip_invalid = BooleanField(_l("Import the valid rows and set the invalid ones aside"))

    def __init__(self, kinds, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k, IMPORT_KIND_NAMES[k]) for k in kinds]


class CampaignForm(Form):
    toml = TextAreaField(_l("Campaign file (TOML)"), validators=[DataRequired(REQUIRED), Length(max=100_000, message=TOO_LONG)])
