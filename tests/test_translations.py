"""The UI is Vietnamese-first: every user-facing string must have a Vietnamese translation."""
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _source_messages() -> set[str]:
    with open(ROOT / "babel.cfg") as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {"_": None, "gettext": None, "N_": None, "lazy_gettext": None, "_l": None}
    return {msg for _, _, msg, *_ in extract_from_dir(str(ROOT), method_map, options_map, keywords=keywords) if msg}


def _vietnamese() -> dict[str, str]:
    with open(ROOT / "translations/vi/LC_MESSAGES/messages.po", "rb") as f:
        return {m.id: m.string for m in read_po(f, locale="vi") if m.id}


def test_every_source_message_has_a_vietnamese_translation():
    vi = _vietnamese()
    missing = sorted(m for m in _source_messages() if not vi.get(m))
    assert missing == [], "untranslated (run pybabel extract/update, see README):\n" + "\n".join(missing)


def test_translations_keep_every_placeholder():
    for msgid, msgstr in _vietnamese().items():
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(msgstr)), msgid


def test_messages_render_in_vietnamese_by_default():
    from app import create_app
    from web.i18n import Message

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "t",
                      "NATIONAL_ID_KEY": "t"})
    with app.app_context():
        assert Message("this date does not exist").render() == "ngày này không tồn tại"
        assert Message("unknown unit \"%(value)s\"", {"value": "X9"}).render() == "không tìm thấy đơn vị \"X9\""


def test_import_summaries_group_digits_the_readers_way():
    from app import create_app
    from emulation.imports.importers import ImportReport

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "t",
                      "NATIONAL_ID_KEY": "t"})
    report = ImportReport("people", "p.csv", rows_in=151516, rows_accepted=151516, rows_changed=1234)
    with app.app_context():
        assert "151.516 dòng" in report.summary() and "1.234 bản ghi" in report.summary()
    with app.test_request_context("/?lang=en"):
        assert "151,516 rows" in report.summary()
