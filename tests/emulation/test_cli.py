"""The command line of the emulation package (SPEC §6): ``import`` and ``campaign load``.

Output is translated, so the tests look for exit codes and for the line numbers, column
names and values that a message must quote, never for wording.
"""
import copy
import re
import shutil
import time
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from tests import factories as f

CAMPAIGNS = Path(__file__).resolve().parents[2] / "campaigns"


def lines_of(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


# ----------------------------------------------------------------------------- import

def test_import_prints_one_line_and_exits_0(world, runner, files, probe):
    for kind in f.KINDS:  # in the order a province is loaded
        path = files.csv(f.NEW[kind], name=f"{kind}.csv")
        result = runner.invoke(args=["import", kind, str(path)])
        assert result.exit_code == 0, (kind, result.output)
        assert len(lines_of(result.stdout)) == 1, (kind, result.output)
        summary = result.stdout
        assert path.name in summary and "4" in summary
        assert probe.count(kind) == len(f.SEED.get(kind, [])) + 4
        batch = probe.rows("import_batches")[-1]
        assert batch["actor"].startswith("cli:") and batch["file_name"] == path.name


def test_import_of_a_bad_file_exits_non_zero_naming_line_column_and_value(world, runner, files, probe):
    rows = copy.deepcopy(f.NEW["households"])
    rows[2]["unit_code"] = "KHONG_CO"  # line 4
    rows[3]["code"] = "H 6"  # line 5: a code with a space
    before = probe.snapshot()
    result = runner.invoke(args=["import", "households", str(files.csv(rows))])
    assert result.exit_code != 0
    out = lines_of(result.output)
    line4 = [m for m in out if "KHONG_CO" in m]
    line5 = [m for m in out if "H 6" in m]
    assert len(line4) == 1 and re.search(r"\b4\b", line4[0]) and "unit_code" in line4[0], result.output
    assert len(line5) == 1 and re.search(r"\b5\b", line5[0]) and "code" in line5[0], result.output
    assert probe.snapshot() == before


def test_import_of_an_unreadable_file_exits_non_zero(world, runner, files, probe):
    before = probe.snapshot()
    path = files.raw(f.to_cp1258("code,unit_code,head_name\r\nH9,BL,Bản Làng\r\n"))
    result = runner.invoke(args=["import", "households", str(path)])
    assert result.exit_code != 0
    assert path.name in result.output
    result = runner.invoke(args=["import", "households", str(files.csv(f.NEW["households"], ["code", "unit", "head_name"]))])
    assert result.exit_code != 0 and "unit" in result.output
    assert probe.snapshot() == before


def test_import_dry_run(world, runner, files, probe):
    before = probe.dump(exclude=("audit_log",), sequences=False)
    result = runner.invoke(args=["import", "people", str(files.csv(f.NEW["people"])), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert len(lines_of(result.stdout)) == 1 and "4" in result.stdout
    assert probe.dump(exclude=("audit_log",), sequences=False) == before
    assert probe.rows("audit_log")[-1]["action"] == "import.people.dry_run"


def test_import_skip_invalid(world, runner, files, probe):
    rows = copy.deepcopy(f.NEW["completions"])
    rows[1]["source"] = "web"  # line 3
    path = files.csv(rows, name="hoan_thanh.csv")
    result = runner.invoke(args=["import", "completions", str(path), "--skip-invalid"])
    assert result.exit_code == 0, result.output
    rejects = path.with_name("hoan_thanh.rejects.csv")
    assert rejects.exists() and str(rejects) in result.output
    assert any("web" in m and "source" in m and re.search(r"\b3\b", m) for m in lines_of(result.output))
    assert probe.count("completions") == 3


def test_import_of_an_xlsx_file(world, runner, files, probe):
    result = runner.invoke(args=["import", "skills", str(files.xlsx(f.NEW["skills"]))])
    assert result.exit_code == 0, result.output
    assert probe.count("skills") == 7


def test_import_dates_are_judged_by_the_province_clock(world, runner, files, probe, monkeypatch):
    # 20:00 UTC on 15 October is already 03:00 on 16 October in Lai Châu (UTC+7). A server
    # keeping UTC must not call a completion of 16 October "in the future" at that moment.
    row = {"person_id": "P1", "skill_code": "S1", "completed_on": "16/10/2025", "source": "session"}
    path = files.csv([row])
    instant = datetime(2025, 10, 15, 20, 0, tzinfo=timezone.utc).timestamp()
    monkeypatch.setattr(time, "time", lambda: instant)  # what date.today() reads
    result = runner.invoke(args=["import", "completions", str(path)])
    monkeypatch.undo()
    assert result.exit_code == 0, result.output
    assert probe.count("completions") == 1


def test_import_usage_errors(app, runner, files):
    path = files.csv(f.NEW["skills"])
    assert runner.invoke(args=["import", "badges", str(path)]).exit_code == 2
    assert runner.invoke(args=["import", "skills", str(path.with_name("khong_co.csv"))]).exit_code == 2


def test_import_without_a_schema_is_a_clear_error(make_app, files):
    app = make_app(create_schema=False)
    crashed = {}
    for kind in f.KINDS:
        result = app.test_cli_runner().invoke(args=["import", kind, str(files.csv(f.NEW[kind]))])
        assert result.exit_code == 1, (kind, result.output)
        if not isinstance(result.exception, SystemExit):  # a traceback, not a message
            crashed[kind] = repr(result.exception)
        else:
            assert "db upgrade" in result.output, (kind, result.output)
    assert crashed == {}


# ----------------------------------------------------------------------------- campaign load

def campaigns(probe):
    return {r["code"]: r for r in probe.rows("campaigns")}


def test_load_the_shipped_campaigns(app, runner, probe):
    for path, code in ((CAMPAIGNS / "bdhvs-2025.toml", "bdhvs-2025"), (CAMPAIGNS / "bdhvs-2026.toml", "bdhvs-2026")):
        result = runner.invoke(args=["campaign", "load", str(path)])
        assert result.exit_code == 0, result.output
        assert len(lines_of(result.stdout)) == 1 and code in result.stdout
    stored = campaigns(probe)
    assert set(stored) == {"bdhvs-2025", "bdhvs-2026"}
    c25 = stored["bdhvs-2025"]
    assert (c25["starts_on"], c25["ends_on"]) == (date(2025, 3, 1), date(2025, 12, 31))
    assert c25["rules"]["groups"] == ["cadre", "student", "worker", "citizen"]
    assert c25["rules"]["targets"] == {"cadre": 0.8, "student": 1.0, "worker": 0.8, "citizen": 0.8, "certified": 170000}
    assert c25["rules"]["mentee_points"] == 20  # a default, filled in
    assert stored["bdhvs-2026"]["rules"]["targets"]["certified"] == 250000
    audit = probe.rows("audit_log")
    assert [(a["action"], a["target"]) for a in audit] == [("campaign.create", "bdhvs-2025"),
                                                           ("campaign.create", "bdhvs-2026")]


def test_reloading_a_campaign_updates_it(app, runner, probe, tmp_path):
    path = tmp_path / "bdhvs-2025.toml"
    shutil.copy(CAMPAIGNS / "bdhvs-2025.toml", path)
    assert runner.invoke(args=["campaign", "load", str(path)]).exit_code == 0
    text = path.read_text(encoding="utf-8")
    text = text.replace("ends_on = 2025-12-31", "ends_on = 2025-11-30").replace("cadre = 0.80", "cadre = 0.85")
    path.write_text(text.replace("[targets]", "mentee_points = 25\n\n[targets]"), encoding="utf-8")
    result = runner.invoke(args=["campaign", "load", str(path)])
    assert result.exit_code == 0, result.output
    stored = campaigns(probe)
    assert list(stored) == ["bdhvs-2025"]
    c = stored["bdhvs-2025"]
    assert c["ends_on"] == date(2025, 11, 30)
    assert (c["rules"]["targets"]["cadre"], c["rules"]["mentee_points"]) == (0.85, 25)
    assert c["source_toml"] == path.read_text(encoding="utf-8")
    assert [a["action"] for a in probe.rows("audit_log")] == ["campaign.create", "campaign.update"]


VALID_TOML = """\
code = "thu-nghiem"
name = "Thử nghiệm"
starts_on = 2025-03-01
ends_on = 2025-12-31
groups = ["cadre", "citizen"]

[targets]
cadre = 0.8
citizen = 0.8
"""


def edit(old, new):
    assert old in VALID_TOML
    return VALID_TOML.replace(old, new)


BAD_CAMPAIGNS = [
    pytest.param(edit('name = "Thử nghiệm"\n', ""), "name", id="missing-key"),
    pytest.param(edit("groups = [", "nhom = 1\ngroups = ["), "nhom", id="unknown-key"),
    pytest.param(edit("starts_on = 2025-03-01", 'starts_on = "01/03/2025"'), "starts_on", id="date-as-text"),
    pytest.param(edit("starts_on = 2025-03-01", "starts_on = 2025-02-30"), "", id="impossible-date"),
    pytest.param(edit("starts_on = 2025-03-01", "starts_on = 2025-03-01T08:00:00"), "starts_on", id="datetime"),
    pytest.param(edit("cadre = 0.8", "cadre = 1.5"), "cadre", id="target-above-1"),
    pytest.param(edit("cadre = 0.8", "cadre = -0.1"), "cadre", id="target-below-0"),
    pytest.param(edit("cadre = 0.8", 'cadre = "80%"'), "cadre", id="target-as-text"),
    pytest.param(edit("ends_on = 2025-12-31", "ends_on = 2025-02-28"), "ends_on", id="ends-before-starts"),
    pytest.param(edit('groups = ["cadre", "citizen"]', 'groups = ["cadre", "farmer"]'), "farmer",
                 id="unknown-group"),
    pytest.param(edit("citizen = 0.8\n", ""), "citizen", id="missing-target"),
    pytest.param(edit("citizen = 0.8\n", "citizen = 0.8\nstudent = 1.0\n"), "student", id="target-of-other-group"),
    pytest.param(VALID_TOML + "mentee_points = -5\n", "mentee_points", id="negative-points"),
    pytest.param(VALID_TOML + "\n[activity_points]\nkaraoke = 5\n", "karaoke", id="unknown-nested-key"),
    pytest.param(VALID_TOML + "\n[publication]\nhour = 25\n", "publication.hour", id="hour-out-of-range"),
    pytest.param(edit("[targets]", "[targets"), "", id="bad-toml"),
    pytest.param('code = "a"\nname = ', "", id="truncated-toml"),
]


def test_bad_campaign_files_are_rejected(app, runner, probe, tmp_path):
    # One test for all cases (they need no fresh database each): every case must exit
    # non-zero with the file name and the offending key or value, and write nothing.
    before = probe.snapshot()
    for case in BAD_CAMPAIGNS:
        (text, quoted), name = case.values, case.id
        path = tmp_path / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        result = runner.invoke(args=["campaign", "load", str(path)])
        assert result.exit_code != 0, (name, result.output)
        assert isinstance(result.exception, SystemExit), (name, repr(result.exception))  # not a crash
        assert path.name in result.output and quoted in result.output, (name, result.output)
    assert probe.snapshot() == before


def test_the_valid_campaign_of_these_tests_loads(app, runner, probe, tmp_path):
    path = tmp_path / "chien_dich.toml"
    path.write_text(VALID_TOML, encoding="utf-8")
    result = runner.invoke(args=["campaign", "load", str(path)])
    assert result.exit_code == 0, result.output
    assert campaigns(probe)["thu-nghiem"]["rules"]["groups"] == ["cadre", "citizen"]


def test_a_campaign_file_saved_with_a_bom_loads(app, runner, probe, tmp_path):
    # Windows Notepad's "UTF-8 with BOM"; the CSV importers accept a BOM too.
    path = tmp_path / "bdhvs-2025.toml"
    path.write_bytes(b"\xef\xbb\xbf" + (CAMPAIGNS / "bdhvs-2025.toml").read_bytes())
    result = runner.invoke(args=["campaign", "load", str(path)])
    assert result.exit_code == 0, result.output
    assert list(campaigns(probe)) == ["bdhvs-2025"]


def test_a_campaign_file_not_in_utf8_is_rejected(app, runner, probe, tmp_path):
    path = tmp_path / "chien_dich.toml"
    path.write_bytes(f.to_cp1258(VALID_TOML))
    before = probe.snapshot()
    result = runner.invoke(args=["campaign", "load", str(path)])
    assert result.exit_code != 0 and path.name in result.output
    assert probe.snapshot() == before
