"""Forms of the nominee list pages (Flask-WTF: a CSRF token)."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from web.forms import REQUIRED, TOO_LONG, Form


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
