"""Numbers, percentages, dates and moments as the UI language writes them, for templates
(filters ``num``, ``pct``, ``day``, ``moment``) and for code (``format_*``)."""
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale
from flask import current_app
from flask_babel import format_date, get_locale, get_translations
from jinja2 import pass_context

# A page's language does not change while it is drawn, so templates ask Flask-Babel for it
# (and for its catalog) once per rendering and keep the answer in the Jinja context. Each
# question costs several context-local look-ups, and a board page asks some 300 of them.
# The answer is kept as a context variable, not an attribute: Jinja calls a function from
# inside a block or loop that has variables of its own with a context derived for that one
# call (a copy of the variables), which would otherwise ask again (35 times a board page).
_LOCALE, _TRANSLATIONS = "_tds_locale", "_tds_translations"


def _context_locale(context) -> str:
    locale = context.get(_LOCALE)
    if locale is None:
        locale = context.vars[_LOCALE] = str(get_locale())
    return locale


def _context_translations(context):
    translations = context.get(_TRANSLATIONS)
    if translations is None:
        translations = context.vars[_TRANSLATIONS] = get_translations()
    return translations


@pass_context
def _num_filter(context, value, digits: int = 0) -> str:
    return format_num(value, digits, _context_locale(context))


@pass_context
def _pct_filter(context, value, digits: int = 1) -> str:
    return format_pct(value, digits, _context_locale(context))


@pass_context
def _day_filter(context, value) -> str:
    return format_day(value, _context_locale(context))


def _install_gettext(env) -> None:
    """Flask-Babel's gettext callables for templates, reading the catalog once per page."""
    env.install_gettext_callables(
        gettext=pass_context(lambda c, s: _context_translations(c).ugettext(s)),
        ngettext=pass_context(lambda c, s, p, n: _context_translations(c).ungettext(s, p, n)),
        pgettext=pass_context(lambda c, ctx, s: _context_translations(c).upgettext(ctx, s)),
        npgettext=pass_context(lambda c, ctx, s, p, n: _context_translations(c).unpgettext(ctx, s, p, n)),
        newstyle=True)


def format_num(value, digits: int = 0, locale: str | None = None) -> str:
    """1.234,5 in Vietnamese, 1,234.5 in English; empty for None."""
    return "" if value is None else _decimal_text(value, digits, 0, locale or str(get_locale()))


def format_pct(value, digits: int = 1, locale: str | None = None) -> str:
    """A fraction as a percentage: 0.853 → 85,3%; empty for None."""
    if value is None:
        return ""
    locale = locale or str(get_locale())
    return _decimal_text(value, digits, 2, locale) + _symbols(locale)[2]


def _decimal_text(value, digits: int, scale: int, locale: str) -> str:
    """``value`` × 10^scale with ``digits`` decimals and the locale's separators: what Babel's
    ``format_decimal``/``format_percent`` give for the patterns "#,##0.0…" (the number's
    decimal text, rounded half to even; tests/test_app.py compares the two), about twenty
    times faster. The public boards format a hundred numbers a page."""
    if type(value) is int and not scale:
        text = f"{value:,.{digits}f}" if digits else f"{value:,}"
    else:
        text = f"{Decimal(str(value)).scaleb(scale):,.{digits}f}"
    group, decimal, _percent, minus = _symbols(locale)
    return text.translate({44: group, 46: decimal, 45: minus})


@cache
def _symbols(locale: str) -> tuple[str, str, str, str]:
    """The locale's group and decimal separators, percent and minus signs."""
    symbols = Locale.parse(locale).number_symbols["latn"]
    return symbols["group"], symbols["decimal"], symbols["percentSign"], symbols["minusSign"]


def format_day(value, locale: str | None = None) -> str:
    """dd/mm/yyyy in Vietnamese; the locale's medium date elsewhere."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if (locale or str(get_locale())) == "vi":
        return value.strftime("%d/%m/%Y")
    return format_date(value, "medium")


def format_moment(value: datetime | str | None) -> str:
    """A timestamp in the province's time zone: dd/mm/yyyy HH:MM."""
    if value is None:
        return ""
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:  # SQLite hands back naive UTC
        from datetime import timezone

        value = value.replace(tzinfo=timezone.utc)
    local = value.astimezone(tz)
    return local.strftime("%d/%m/%Y %H:%M") if str(get_locale()) == "vi" else local.strftime("%Y-%m-%d %H:%M")


def init_formatting(app) -> None:
    """The filters ``num``, ``pct``, ``day``, ``moment`` and the templates' gettext."""
    app.jinja_env.filters.update(num=_num_filter, pct=_pct_filter, day=_day_filter, moment=format_moment)
    _install_gettext(app.jinja_env)
