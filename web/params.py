"""Values a view takes from the URL or the body, checked at the edge: out of bounds a 400
naming the parameter, never a number that overflows the database (a 500)."""
import re

from flask import request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # ids and ranks: PostgreSQL's INTEGER
MAX_PAGE = 100_000  # page numbers (a page of 50 rows: 5,000,000 rows)
MAX_KEY = 64  # codes in cursors (units, households, people)


class IdConverter(IntegerConverter):
    """``<int:…>`` from 0 to ``MAX_ID`` (a larger number is a 404, as a missing id)."""
    def __init__(self, map, fixed_digits=0, min=0, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value):
        if len(value) > 12:  # int() of thousands of digits is slow, and refused past 4,300
            from werkzeug.routing import ValidationError

            raise ValidationError()
        return super().to_python(value)


def int_arg(name: str, default: int, *, minimum: int = 1, maximum: int = MAX_PAGE) -> int:
    """The query parameter ``name`` as a whole number from ``minimum`` to ``maximum``
    (``default`` when absent or empty); anything else is a 400."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    digits = raw[1:] if raw[:1] == "-" else raw
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 12 and minimum <= int(raw) <= maximum):
        raise BadRequest(f"{name}: a whole number from {minimum} to {maximum}")
    return int(raw)


def page_arg(name: str = "page") -> int:
    """A page number (1 when absent)."""
    return int_arg(name, 1, minimum=1, maximum=MAX_PAGE)


def cursor_arg(name: str) -> tuple[int, str] | None:
    """A board's ``after``/``before`` cursor ``RANK:KEY`` (None when absent or empty)."""
    raw = request.args.get(name, "")
    if not raw:
        return None
    rank, _, key = raw.partition(":")
    if not (rank.isascii() and rank.isdigit() and len(rank) <= 10 and 1 <= int(rank) <= MAX_ID
            and key and len(key) <= MAX_KEY):
        raise BadRequest(f"{name}: a cursor RANK:KEY, as given by the previous page")
    return int(rank), key


# A NUL or a lone surrogate written as a JSON escape: no text of the app holds one (PostgreSQL
# refuses NUL in text, and no encoding can write a lone surrogate).
_JSON_UNWRITABLE = re.compile(rb"\\u(?:0000|[dD][89abAB][0-9a-fA-F]{2}|[dD][c-fC-F][0-9a-fA-F]{2})")


def json_body():
    """The request's JSON body, or None when it is not JSON, nested too deep for Python's
    parser (a RecursionError, which ``get_json(silent=True)`` lets through), or carries a
    NUL or a lone surrogate."""
    if _JSON_UNWRITABLE.search(request.get_data(cache=True)):
        return None
    try:
        return request.get_json(silent=True)
    except RecursionError:
        return None


def refuse_nul() -> None:
    """Before every request: a NUL in the path, the query or a (non-file) form field is a 400.
    No value of the app holds one, and PostgreSQL refuses it in text (a 500 otherwise)."""
    values = [request.path, *request.args.values()]
    if request.mimetype == "application/x-www-form-urlencoded":
        values += request.form.values()
    if any("\0" in v for v in values):
        raise BadRequest("a NUL character in the request")
