"""The base form of every page: Flask-WTF (a CSRF token) with messages in the UI language."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect

from .i18n import N_

csrf = CSRFProtect()

REQUIRED = _l("This field is required.")
TOO_LONG = _l("At most %(max)d characters.")


# WTForms' own messages that our forms can show. WTForms ships no Vietnamese catalog, so
# they are translated in ours (forms give their other validators explicit messages).
WTFORMS_MESSAGES = (N_("Not a valid choice."), N_("Invalid Choice: could not coerce."),
                    N_("This field is required."))


class _CatalogTranslations:
    """WTForms' translations object, answered from the application's catalog."""

    def gettext(self, string):
        from flask_babel import get_translations

        return get_translations().ugettext(string)

    def ngettext(self, singular, plural, n):
        from flask_babel import get_translations

        return get_translations().ungettext(singular, plural, n)


class Form(FlaskForm):
    """Every form of the app: Flask-WTF (a CSRF token) with messages in the UI language."""

    class Meta:
        def get_translations(self, form):
            return _CatalogTranslations()


class PlainForm(Form):
    """A button that changes something: only the CSRF token."""
