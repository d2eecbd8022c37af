"""Forms of the emulation pages (Flask-WTF: every form carries a CSRF token)."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional

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
        self.kind.choices = [SelectChoice(k, IMPORT_KIND_NAMES[k]) for k in kinds]


class PupilsForm(Form):
    """A school switches its pupils off the public pages, or back on."""
    hide = HiddenField(validators=[AnyOf(("1", "0"))])


class CampaignForm(Form):
    toml = TextAreaField(_l("Campaign file (TOML)"), validators=[DataRequired(REQUIRED), Length(max=100_000, message=TOO_LONG)])


class NomineeGenerateForm(Form):
    as_of = DateField(_l("Figures as of"), validators=[Optional()],
                      description=_l("Empty: today."))


class NomineeChangeForm(Form):
    """Exclude an entry of a draft, or add one, with the reason."""
    action = HiddenField(validators=[AnyOf(("exclude", "add"))])
    section = SelectField(_l("Section"), choices=[SelectChoice("collective", _l("Collectives")),
                                                  SelectChoice("individual", _l("Individuals")),
                                                  SelectChoice("family", _l("Families"))], validate_choice=True)
    code = StringField(_l("Code (unit, person id or household)"),
                       validators=[DataRequired(REQUIRED), Length(max=64, message=TOO_LONG)])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(REQUIRED),
                                                   Length(min=5, max=1000, message=_l("Between 5 and 1,000 characters."))])


class PlainForm(Form):
    """A button that changes something: only the CSRF token."""
