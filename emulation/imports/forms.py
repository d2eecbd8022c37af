"""The upload form (Flask-WTF: a CSRF token)."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField
from wtforms.fields import SelectChoice

from emulation.labels import IMPORT_KIND_NAMES
from web.forms import REQUIRED, Form


class ImportForm(Form):
    kind = SelectField(_l("What the file holds"), validate_choice=True)
    file = FileField(_l("File (.csv or .xlsx)"), validators=[FileRequired(REQUIRED)])
    dry_run = BooleanField(_l("Check only (dry run): show what would change, write nothing"), default=True)
    skip_invalid = BooleanField(_l("Import the valid rows and set the invalid ones aside"))

    def __init__(self, kinds, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice(k, IMPORT_KIND_NAMES[k]) for k in kinds]
