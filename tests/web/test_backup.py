"""``backup`` and ``restore`` (SQLite's online backup API); PostgreSQL is pointed to pg_dump."""
from datetime import date


def test_backup_then_restore(app, world, runner, tmp_path, probe, dialect):
    copy = tmp_path / "copy.sqlite3"
    result = runner.invoke(args=["backup", str(copy)])
    if dialect == "postgresql":
        assert result.exit_code == 1 and "pg_dump" in result.output
        return
    assert result.exit_code == 0, result.output
    before = probe.count("people")
    world.load("people", [{"external_id": "P99", "full_name": "Lò Văn Mới", "group": "citizen", "unit_code": "BL"}])
    assert probe.count("people") == before + 1
    # A second backup to the same name is refused; so is a file that is not a backup.
    assert runner.invoke(args=["backup", str(copy)]).exit_code == 1
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database")
    assert runner.invoke(args=["restore", "--yes", str(junk)]).exit_code == 1
    assert runner.invoke(args=["restore", str(copy)], input="n\n").exit_code == 1  # asked, declined
    result = runner.invoke(args=["restore", "--yes", str(copy)])
    assert result.exit_code == 0, result.output
    assert probe.count("people") == before
    world.load("completions", [{"person_id": "P1", "skill_code": "S1", "completed_on": date(2025, 4, 1),
                                "source": "mooc"}])  # the restored database works
