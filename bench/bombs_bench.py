"""Bombs benchmark: the peak memory of an import (and of the JSON API) fed hostile files
and bodies, against the bound the README states, and against an ordinary import of a
normal file measured in the same run.

Each case runs in a process of its own (a fresh interpreter, the app created on a SQLite
database in a temporary folder with the base units loaded) and reports its peak resident
memory (``ru_maxrss``) and what the import said. The hostile files are generated here
(tests/hostile.py), in the temporary folder, and deleted at the end.

Cases: the baseline (a people file of ``--people`` rows, and the same households file as
CSV and XLSX), the review's XLSX bombs (one shared string of 1.5 GB compressed to a few MB;
30 million shared strings), a CSV row of ten million cells, a CSV of 100 KB cells, a people
file over the row cap (IMPORT_MAX_HELD_ROWS), and a 99 MB JSON body to POST
/api/v1/completions. Prints each peak, its ratio to the baseline, and PASS/FAIL against
``--bound-mb`` (exit status 0 when all pass).

Usage::

    .venv/bin/python bench/bombs_bench.py [--people 200000] [--held-rows 1000000] [--bound-mb 1500]
"""
import argparse
import json
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import hostile  # noqa: E402

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
case = json.loads(sys.argv[1])
from app import create_app
from extensions import db
app = create_app({{"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite:///" + case["db"], "SECRET_KEY": "b",
                  "NATIONAL_ID_KEY": "b", "IMPORT_MAX_HELD_ROWS": case["held_rows"],
                  "IMPORT_JOBS_DIR": case["dir"] + "/jobs"}})
with app.app_context():
    db.metadata.create_all(db.engine)
    from emulation.imports.importers import run_import
    units = run_import("units", case["units"], actor="bench")
    assert units.committed, units.summary()
    start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    began = time.perf_counter()
    if case.get("api"):
        from accounts.services import create_user
        from accounts.models import ApiToken
        import hashlib, secrets
        user, _ = create_user("bench@x.test", "admin", password="correct horse battery", actor="bench",
                           must_change_password=False)
        token = "tds_" + secrets.token_urlsafe(24)
        db.session.add(ApiToken(user_id=user.id, name="bench", token_hash=hashlib.sha256(token.encode()).hexdigest(),
                                hint=token[:10]))
        db.session.commit()
        body = open(case["file"], "rb")
        r = app.test_client().post("/api/v1/completions", data=body, content_type="application/json",
                                   headers={{"Authorization": "Bearer " + token,
                                            "Content-Length": str(case["size"])}})
        said = f"HTTP {{r.status_code}}: {{(r.get_json() or {{}}).get('error')}}"
    else:
        report = run_import(case["kind"], case["file"], actor="bench", dry_run=case.get("dry_run", False))
        said = report.summary()
    seconds = time.perf_counter() - began
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"peak_mb": peak / 1024, "before_mb": start / 1024, "seconds": seconds, "said": said[:160]}}))
"""


def run(case: dict) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT)), json.dumps(case)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        return {"peak_mb": float("nan"), "before_mb": 0, "seconds": 0, "said": "CRASHED: " + out.stderr[-300:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def people_csv(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8") as f:
        f.write("external_id,full_name,group,unit_code,birth_year,gender,national_id\n")
        for i in range(rows):
            f.write(f"P{i:07d},Nguyễn Văn Thử {i},citizen,BL,{1950 + i % 60},{'MF'[i % 2]},{i:012d}\n")
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--people", type=int, default=200_000, help="rows of the baseline people file")
    ap.add_argument("--held-rows", type=int, default=1_000_000, help="IMPORT_MAX_HELD_ROWS")
    ap.add_argument("--bound-mb", type=float, default=1500, help="the README's bound on an import's peak")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="tds-bombs-") as tmp:
        d = Path(tmp)
        units = d / "units.csv"
        units.write_text("code,name,kind,parent_code\nLC,Tỉnh,province,\nTP,Phường,ward,LC\nBL,Bản,village,TP\n",
                         encoding="utf-8")
        households = [[f"H{i}", "BL", f"Hộ {i}"] for i in range(20_000)]
        hh_csv = d / "households.csv"
        hh_csv.write_text("code,unit_code,head_name\n" + "".join(",".join(r) + "\n" for r in households),
                          encoding="utf-8")
        built = time.perf_counter()
        cases = [
            ("baseline: people CSV, %s rows" % f"{a.people:,}", dict(kind="people", file=str(people_csv(
                d / "people.csv", a.people)))),
            ("baseline: households CSV, 20,000 rows", dict(kind="households", file=str(hh_csv))),
            ("baseline: households XLSX, 20,000 rows", dict(kind="households", file=str(hostile.xlsx(
                d / "households.xlsx", ["code", "unit_code", "head_name"], households)))),
            ("XLSX: one shared string of 1.5 GB", dict(kind="households", file=str(hostile.xlsx(
                d / "giant.xlsx", ["code", "unit_code", "head_name"], households[:2], giant_string=1536 * 2**20)))),
            ("XLSX: 30 million shared strings", dict(kind="households", file=str(hostile.xlsx(
                d / "many.xlsx", ["code", "unit_code", "head_name"], households[:2],
                shared_strings=("a" for _ in range(30_000_000)))))),
            ("XLSX: 1.2 million shared strings, stored", dict(kind="households", file=str(hostile.xlsx(
                d / "stored.xlsx", ["code", "unit_code", "head_name"], households[:2], compression=zipfile.ZIP_STORED,
                shared_strings=(str(i) for i in range(1_200_000)))))),
            ("CSV: 10 rows of a million cells", dict(kind="households", file=str(hostile.wide_csv(
                d / "wide.csv", ["code", "unit_code", "head_name"], ["H1", "BL", "x"], 1_000_000, rows=10)))),
            ("CSV: 1,000 rows of 100 KB cells", dict(kind="households", file=str(_fat_csv(d / "fat.csv")))),
            ("people CSV over the cap (%s rows), dry run" % f"{a.held_rows + 200_000:,}", dict(
                kind="people", dry_run=True, file=str(people_csv(d / "big-people.csv", a.held_rows + 200_000)))),
            ("people CSV of 512 MB (the upload limit), longest texts", dict(
                kind="people", dry_run=True, file=str(_fat_people(d / "fat-people.csv", 512 * 2**20)))),
            ("API: a 99 MB JSON body", dict(api=True, **_json_body(d / "body.json", 99 * 2**20))),
        ]
        print(f"(files generated in {time.perf_counter() - built:.0f} s)")
        results, failed = [], False
        for i, (name, case) in enumerate(cases):
            case.update(db=str(d / f"db{i}.sqlite3"), units=str(units), dir=tmp, held_rows=a.held_rows)
            r = run(case)
            results.append((name, r, Path(case["file"]).stat().st_size))
        base = max(r["peak_mb"] for name, r, _ in results if name.startswith("baseline"))
        print(f"{'case':48} {'file MB':>8} {'peak MB':>8} {'x base':>7} {'s':>6}  verdict, what was said")
        for name, r, size in results:
            ok = r["peak_mb"] <= a.bound_mb
            failed |= not ok
            print(f"{name:48} {size / 2**20:8.1f} {r['peak_mb']:8.0f} {r['peak_mb'] / base:7.2f} {r['seconds']:6.1f}  "
                  f"{'PASS' if ok else 'FAIL'} {r['said']}")
        print(f"bound {a.bound_mb:.0f} MB; baseline peak (largest ordinary import) {base:.0f} MB")
    return 1 if failed else 0


def _fat_people(path: Path, size: int) -> Path:
    """People whose every text is as long as allowed (255 Vietnamese characters), up to ``size``."""
    name = ("Nguyễn Thị Ánh Dương " * 13)[:255]
    with path.open("w", encoding="utf-8") as f:
        f.write("external_id,full_name,group,unit_code,birth_year,gender,national_id,position\n")
        i = 0
        while f.tell() < size:
            f.write(f"P{i:07d},{name[:-7]}{i:07d},citizen,BL,1980,F,{i:012d},{name}\n")
            i += 1
    return path


def _fat_csv(path: Path) -> Path:
    with path.open("w", encoding="utf-8") as f:
        f.write("code,unit_code,head_name\n")
        for i in range(1_000):
            f.write(f"H{i},BL,{'x' * 100_000}\n")
    return path


def _json_body(path: Path, size: int) -> dict:
    row = json.dumps({"person_id": "P1", "skill_code": "S1", "completed_on": "2025-03-15", "source": "mooc",
                      "reference": "x" * 60})
    n = size // (len(row) + 1)
    with path.open("w") as f:
        f.write('{"rows": [')
        f.write(",".join([row] * n))
        f.write("]}")
    return {"file": str(path), "size": path.stat().st_size}


if __name__ == "__main__":
    sys.exit(main())
