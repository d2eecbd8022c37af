"""Forms of the unit and campaign pages (Flask-WTF: every form carries a CSRF token)."""
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length

from web.forms import REQUIRED, TOO_LONG, Form


class PupilsForm(Form):
    """A school switches its pupils off the public pages, or back on."""
    hide = HiddenField(validators=[AnyOf(("1", "0"))])


class CampaignForm(Form):
    toml = TextAreaField(_l("Campaign file (TOML)"), validators=[DataRequired(REQUIRED), Length(max=100_000, message=TOO_LONG)])
