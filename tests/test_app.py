"""The application factory, configuration (SPEC §6) and SQLite connection settings."""
import os
import stat

import flask
import pytest
import sqlalchemy as sa

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
