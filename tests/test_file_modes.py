"""Files the application writes under instance/ are readable by its user only (issue 13,
item 14): the SQLite database with its -wal and -shm files, the generated keys, the
backups. (Import jobs: tests/emulation/imports/test_import_job_files.py.)"""
import os
import stat

import pytest
import sqlalchemy as sa


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_sqlite_database_wal_shm_and_keys_are_private(tmp_path, monkeypatch):
    from app import create_app
    from extensions import db

    monkeypatch.setenv("SECRET_KEY", "k")
    monkeypatch.setenv("NATIONAL_ID_KEY", "n")
    old = os.umask(0o022)  # the usual umask: files would be 0644
    try:
        instance = tmp_path / "instance"
        database = instance / "thiduaso.sqlite3"
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
        app.instance_path = str(instance)
        with app.app_context():
            with db.engine.begin() as conn:
                conn.execute(sa.text("CREATE TABLE t (x)"))
                conn.execute(sa.text("INSERT INTO t VALUES (1)"))
            with db.engine.connect() as conn:  # the WAL and shared-memory files exist while connected
                conn.execute(sa.text("SELECT * FROM t")).all()
                files = [database, database.with_name(database.name + "-wal"),
                         database.with_name(database.name + "-shm")]
                assert all(p.exists() for p in files)
                assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}
            db.engine.dispose()
    finally:
        os.umask(old)


def test_an_older_database_is_made_private_at_start(tmp_path):
    from app import create_app
    from extensions import db

    database = tmp_path / "old.sqlite3"
    wal = tmp_path / "old.sqlite3-wal"
    database.touch(mode=0o644)
    wal.touch(mode=0o644)
    os.chmod(database, 0o644)
    os.chmod(wal, 0o644)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
                      "SECRET_KEY": "k", "NATIONAL_ID_KEY": "n"})
    with app.app_context():
        db.engine.dispose()
    assert _mode(database) == 0o600 and _mode(wal) == 0o600


def test_generated_keys_are_private(tmp_path, monkeypatch):
    from config import load_config

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("NATIONAL_ID_KEY", raising=False)
    load_config(tmp_path)
    assert _mode(tmp_path / "secret_key") == 0o600 and _mode(tmp_path / "national_id_key") == 0o600


def test_a_backup_is_private(app, world, runner, tmp_path, dialect):
    if dialect == "postgresql":
        pytest.skip("pg_dump writes its own files")
    old = os.umask(0o022)
    try:
        copy = tmp_path / "copy.sqlite3"
        assert runner.invoke(args=["backup", str(copy)]).exit_code == 0
    finally:
        os.umask(old)
    assert _mode(copy) == 0o600
