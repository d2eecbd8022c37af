"""The application factory, configuration (SPEC §6) and SQLite connection settings."""
import os
import stat

import flask
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import create_app
from config import load_config, normalise_database_url
from extensions import db


def test_test_config_overrides_the_environment(app, database_url):
    assert app.testing
    assert app.config["SQLALCHEMY_DATABASE_URI"] == database_url
    assert (app.config["SECRET_KEY"], app.config["NATIONAL_ID_KEY"]) == ("test-secret-key", "test-national-id-key")


def test_home_page(client, imports):
    imports.seed()
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    # The visitor's ways in: the boards, their own progress, a badge to verify; no staff data.
    for link in ('href="/leaderboards"', 'href="/p"', 'href="/badges/verify"', 'href="/login'):
        assert link in page, link
    assert 'lang="vi"' in page and "Bảng xếp hạng" in page
    assert "Nguyễn Văn An" not in page and "P1" not in page


def test_the_schema_is_fresh_for_every_test(app):
    with app.app_context():
        for table in ("units", "people", "import_batches", "audit_log"):
            assert db.session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar() == 0


# ----------------------------------------------------------------------------- SQLite settings

@pytest.fixture
def sqlite_app(tmp_path):
    """SQLite only: these settings do not exist on PostgreSQL."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'a.sqlite3'}",
                      "SECRET_KEY": "t", "NATIONAL_ID_KEY": "t"})
    yield app
    with app.app_context():
        db.engine.dispose()


def test_sqlite_connection_settings(sqlite_app):
    with sqlite_app.app_context(), db.engine.connect() as conn:
        pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("synchronous") == 1  # NORMAL
        assert pragma("busy_timeout") == sqlite_app.config["SQLITE_BUSY_TIMEOUT_MS"] > 0


def test_sqlite_settings_hold_for_every_pooled_connection(sqlite_app):
    with sqlite_app.app_context():
        conns = [db.engine.connect() for _ in range(3)]
        try:
            for conn in conns:
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
        finally:
            for conn in conns:
                conn.close()


def test_sqlite_enforces_foreign_keys(sqlite_app):
    with sqlite_app.app_context():
        db.create_all()
        with pytest.raises(sa.exc.IntegrityError):
            with db.engine.begin() as conn:
                conn.exec_driver_sql("INSERT INTO households (code, unit_id) VALUES ('H1', 999)")


def test_sqlite_transactions_roll_back_ddl(sqlite_app):
    # The app emits BEGIN itself, so even DDL is transactional (the import path relies on it).
    with sqlite_app.app_context():
        with db.engine.connect() as conn:
            trans = conn.begin()
            conn.exec_driver_sql("CREATE TABLE scratch (x INTEGER)")
            trans.rollback()
        assert "scratch" not in sa.inspect(db.engine).get_table_names()


# ----------------------------------------------------------------------------- configuration

@pytest.mark.parametrize("url, expected", [
    ("postgresql://u:p@db:5432/tds", "postgresql+psycopg://u:p@db:5432/tds"),
    ("postgres://u@db/tds", "postgresql+psycopg://u@db/tds"),
    ("postgresql+psycopg://u@db/tds", "postgresql+psycopg://u@db/tds"),
    ("sqlite:////var/lib/tds.sqlite3", "sqlite:////var/lib/tds.sqlite3"),
])
def test_database_url_is_normalised_to_psycopg(url, expected):
    assert normalise_database_url(url) == expected


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """A temporary instance folder and an environment without the app's variables."""
    path = tmp_path / "instance"
    monkeypatch.setattr(flask.Flask, "auto_find_instance_path", lambda self: str(path))
    for name in ("DATABASE_URL", "SECRET_KEY", "NATIONAL_ID_KEY", "SQLITE_BUSY_TIMEOUT_MS", "IMPORT_CHUNK_ROWS"):
        monkeypatch.delenv(name, raising=False)
    return path


def test_database_url_from_the_environment(instance, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://thiduaso@127.0.0.1:5432/thiduaso")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://thiduaso@127.0.0.1:5432/thiduaso"
    with app.app_context():
        assert db.engine.dialect.name == "postgresql" and db.engine.dialect.driver == "psycopg"
        db.engine.dispose()


def test_default_database_is_a_sqlite_file_in_the_instance_folder(instance):
    app = create_app()
    assert app.instance_path == str(instance)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'thiduaso.sqlite3'}"
    with app.app_context():
        db.engine.dispose()


def test_secret_key_is_generated_once_and_kept(instance):
    first = create_app()
    secret = (instance / "secret_key").read_text().strip()
    assert first.config["SECRET_KEY"] == secret and len(secret) >= 32
    assert stat.S_IMODE(os.stat(instance / "secret_key").st_mode) == 0o600
    nid_key = (instance / "national_id_key").read_text().strip()
    assert first.config["NATIONAL_ID_KEY"] == nid_key != secret
    second = create_app()
    assert (second.config["SECRET_KEY"], second.config["NATIONAL_ID_KEY"]) == (secret, nid_key)
    for app in (first, second):
        with app.app_context():
            db.engine.dispose()


def test_secrets_from_the_environment_win(instance, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("NATIONAL_ID_KEY", "nid-from-env")
    config = load_config(instance)
    assert (config["SECRET_KEY"], config["NATIONAL_ID_KEY"]) == ("from-env", "nid-from-env")
    assert not (instance / "secret_key").exists() and not (instance / "national_id_key").exists()


def test_numeric_settings_from_the_environment(instance, monkeypatch):
    monkeypatch.setenv("SQLITE_BUSY_TIMEOUT_MS", "2500")
    monkeypatch.setenv("IMPORT_CHUNK_ROWS", "500")
    config = load_config(instance)
    assert (config["SQLITE_BUSY_TIMEOUT_MS"], config["IMPORT_CHUNK_ROWS"]) == (2500, 500)


# ----------------------------------------------------------------------------- number formats

@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.one_of(st.integers(-10**9, 10**9),
                       st.floats(-1e7, 1e7, allow_nan=False),
                       st.decimals(-10**6, 10**6, allow_nan=False, allow_infinity=False, places=4),
                       # ties at every place, the case where rounding rules differ
                       st.integers(-10**6, 10**6).map(lambda n: n / 1000 + 0.0005)),
       digits=st.integers(0, 3))
def test_numbers_are_formatted_as_babel_formats_them(sqlite_app, value, digits):
    """The boards' fast number and percent formats give Babel's text to the character, in
    Vietnamese and in English."""
    from flask_babel import format_decimal, format_percent

    from web.formatting import format_num, format_pct

    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    for lang in ("vi", "en"):
        with sqlite_app.test_request_context(f"/?lang={lang}"):
            assert format_num(value, digits) == format_decimal(value, format=pattern)
            assert format_pct(value, digits) == format_percent(value, format=pattern + "%")


# ----------------------------------------------------------------------------- page cache

def test_a_page_asked_for_while_it_is_drawn_is_drawn_once():
    import threading
    import time

    from web.cache import PageCache

    cache, drawn = PageCache(size=2), []

    def draw(text):
        def render():
            drawn.append(text)
            time.sleep(0.2)
            return text
        return render

    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.get_or_render(("a",), draw("A"))))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["A"] * 8 and drawn == ["A"]
    # The least recently used page leaves first.
    cache.get_or_render(("b",), draw("B"))
    cache.get_or_render(("a",), draw("A again"))
    cache.get_or_render(("c",), draw("C"))
    assert cache.get_or_render(("a",), draw("A anew")) == "A"
    assert cache.get_or_render(("b",), draw("B anew")) == "B anew"


def test_when_the_first_drawing_fails_the_waiting_requests_draw_the_page_themselves():
    import threading
    import time

    from web.cache import PageCache

    cache, started = PageCache(), threading.Event()

    def failing():
        started.set()
        time.sleep(0.2)
        raise RuntimeError("the database went away")

    errors, results = [], []

    def first():
        try:
            cache.get_or_render(("a",), failing)
        except RuntimeError as exc:
            errors.append(exc)

    t = threading.Thread(target=first)
    t.start()
    started.wait()
    results.append(cache.get_or_render(("a",), lambda: "drawn by the second"))
    t.join()
    assert len(errors) == 1 and results == ["drawn by the second"]
    assert cache.get_or_render(("a",), lambda: "not drawn again") == "drawn by the second"


def test_warm_up_draws_the_front_pages_before_the_workers_fork(app, campaign, world, runner):
    """gunicorn.conf.py runs app.warm_up in the master: the boards' front pages are then in
    the page cache that every worker inherits, and no database connection stays open."""
    from datetime import date

    from app import warm_up

    world.load("completions", [{"person_id": "P1", "skill_code": "S1", "completed_on": date(2025, 4, 1),
                                "source": "mooc"}])
    assert runner.invoke(args=["leaderboard", "publish", "--campaign", campaign,
                               "--as-of", "2025-12-31"]).exit_code == 0
    warm_up(app)
    with app.app_context():
        assert db.engine.pool.checkedout() == 0
    cached = app.extensions["page_cache"]._pages
    # The home page is drawn (and kept) too; every visitor's page's key starts with its
    # endpoint, then what it is drawn from (a board's: its publication), then the query.
    assert [key for key in cached if key[0] == "leaderboards.home"]
    pages = {key: html for key, html in cached.items() if key[0] != "leaderboards.home"}
    assert {key[0] for key in pages} == {"leaderboards.board"}
    queries = {dict(key[2])["board"]: key for key in pages if "commune" not in dict(key[2])}
    assert set(queries) == {"units", "households", "people"}
    with app.test_request_context():
        from emulation.scoring.progress import current_campaign
        from leaderboards.public import brackets, communes, front_pages, latest_publication

        expected = 3 + len(brackets(latest_publication(current_campaign()))) + 2 * len(communes())
        assert len(front_pages()) == expected and len(pages) == expected
    assert all("<table" in html or "No entry" in html or "Không có" in html for html in pages.values())
    # A visitor's request is then served from the cache, as the filters form sends it too.
    key = queries["people"]
    cached[key] = cached[key].replace("</main>", "<!-- from the cache --></main>")
    for url in (f"/leaderboards?campaign={campaign}&board=people",
                f"/leaderboards?board=people&campaign={campaign}&commune=&find="):
        assert b"from the cache" in app.test_client().get(url).data


def test_warm_up_never_stops_a_server_from_starting(make_app, caplog):
    """Before "db upgrade" there is nothing to draw: the server starts cold."""
    from app import warm_up

    app = make_app(create_schema=False)
    warm_up(app)
    assert "warm-up skipped" in caplog.text
    with app.app_context():
        assert db.engine.pool.checkedout() == 0
