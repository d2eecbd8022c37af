"""Forms of the account pages (Flask-WTF: every form carries a CSRF token)."""
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, IntegerField, PasswordField, SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from web.forms import REQUIRED, TOO_LONG, Form
from web.i18n import N_

from .models import ROLES
from .services import MIN_PASSWORD_LENGTH

# WTForms' own message for an IntegerField (web.WTFORMS_MESSAGES says why it is in our catalog).
N_("Not a valid integer value.")


ROLE_NAMES = {"admin": _l("Administrator"), "manager": _l("Unit manager"),
              "home_affairs": _l("Home Affairs"), "viewer": _l("Viewer")}


def role_choices():
    return [SelectChoice("admin", _l("Administrator (whole province)")),
            SelectChoice("manager", _l("Unit manager (one unit and its subtree)")),
            SelectChoice("home_affairs", _l("Home Affairs (nominees and reports; read-only elsewhere)")),
            SelectChoice("viewer", _l("Viewer (read-only dashboards)"))]


class LoginForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(REQUIRED), Length(max=255, message=TOO_LONG)])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED)])


class ChangePasswordForm(Form):
    current = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)])
    new = PasswordField(_l("New password"), validators=[
        DataRequired(REQUIRED),
        Length(min=MIN_PASSWORD_LENGTH, message=_l("The password must have at least %(n)d characters.",
                                                   n=MIN_PASSWORD_LENGTH))])
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(REQUIRED), EqualTo("new", message=_l("The two new passwords differ."))])


class UserCreateForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(REQUIRED), Length(max=255, message=TOO_LONG)])
    role = SelectField(_l("Role"), choices=role_choices, validate_choice=True)
    # The units of the signed-in person's subtree, from the unit tree (set by the view:
    # accounts.services.unit_choices); create_user refuses any other.
    unit_code = SelectField(_l("Unit (managers only)"), choices=[], validate_choice=False,
                            validators=[Optional(), Length(max=32, message=TOO_LONG)])

    def validate_role(self, field):
        if field.data not in ROLES:  # a form sent without a role (WTForms 3 turns only ValidationError
            raise ValidationError(_l("Unknown role."))  # into a form error; a ValueError was a 500)


class ActionForm(Form):
    """A button that changes something (sign out, reset, disable): only the CSRF token."""


class TokenCreateForm(Form):
    name = StringField(_l("What the token is for"), validators=[DataRequired(REQUIRED),
                                                             Length(max=255, message=TOO_LONG)])
    # Left empty: API_TOKEN_DAYS. The range (1 to API_TOKEN_DAYS) is the service's rule
    # (accounts.services.create_token).
    days = IntegerField(_l("Valid for (days)"), validators=[Optional()])
