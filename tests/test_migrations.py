"""The real migrations (``flask db upgrade``) build the schema the models describe.

The rest of the suite builds its schema with ``db.create_all()`` for speed; this is what
makes that shortcut honest. Nothing is ignored in the comparison: types, nullability,
server defaults, indexes, unique constraints and foreign keys are all compared.
(Alembic's autogenerate does not compare CHECK constraints or SQLite's WITHOUT ROWID, so
those are checked separately below.)
"""
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from extensions import db


@pytest.fixture
def migrated(make_app):
    app = make_app(create_schema=False)
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return app


def diff(app, **opts):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, **opts})
        return compare_metadata(context, db.metadata)


def test_migrations_give_the_models_schema(migrated):
    assert diff(migrated) == []


def reflect(engine) -> dict:
    """Every column's type, nullability and server default, as the database reports them."""
    inspector = sa.inspect(engine)
    return {(t, c["name"]): (str(c["type"]), c["nullable"], c["default"])
            for t in inspector.get_table_names() if t != "alembic_version" for c in inspector.get_columns(t)}


def test_migrations_give_the_models_server_defaults(migrated, dialect, tmp_path):
    if dialect == "postgresql":
        assert diff(migrated, compare_server_default=True) == []
        return
    # On SQLite, Alembic's comparator reports a difference for every '' default even against
    # a schema made by create_all() itself (skills.required_for, units.path), so the migrated
    # schema is compared, column by column, with one made by create_all() instead.
    reference = sa.create_engine(f"sqlite:///{tmp_path / 'reference.sqlite3'}")
    try:
        db.metadata.create_all(reference)
        with migrated.app_context():
            assert reflect(db.engine) == reflect(reference)
    finally:
        reference.dispose()


def test_migrations_are_at_head(migrated):
    from alembic.script import ScriptDirectory

    with migrated.app_context():
        config = migrated.extensions["migrate"].migrate.get_config()
        heads = ScriptDirectory.from_config(config).get_heads()
        with db.engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_heads() == tuple(heads)
    assert len(heads) == 1


def test_migrations_keep_the_check_constraints(migrated):
    with migrated.app_context():
        with pytest.raises(sa.exc.IntegrityError):
            with db.engine.begin() as conn:
                conn.exec_driver_sql("INSERT INTO skills (code, name, domain, level, points) "
                                     "VALUES ('X', 'x', 'd', 9, 1)")
        with pytest.raises(sa.exc.IntegrityError):
            with db.engine.begin() as conn:
                conn.exec_driver_sql("INSERT INTO skills (code, name, domain, level, points) "
                                     "VALUES ('X', 'x', 'd', 1, -1)")


def test_migrations_keep_the_event_tables_clustered_by_key(migrated, dialect):
    keys = {"completions": ["person_id", "skill_id"], "activities": ["person_id", "kind", "occurred_on"],
            "mentorships": ["mentor_id", "mentee_id"]}
    with migrated.app_context(), db.engine.connect() as conn:
        inspector = sa.inspect(conn)
        for table, columns in keys.items():
            assert inspector.get_pk_constraint(table)["constrained_columns"] == columns
        if dialect == "sqlite":  # and stored as the key's B-tree (no rowid)
            sql = dict(conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all())
            for table in keys:
                assert sql[table].rstrip().upper().endswith("WITHOUT ROWID"), sql[table]


def test_downgrade_to_base_and_up_again(migrated):
    runner = migrated.test_cli_runner()
    result = runner.invoke(args=["db", "downgrade", "base"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    with migrated.app_context():
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert diff(migrated) == []
