#!/usr/bin/env python3
"""Mutation testing of the rule modules (issue 14): how many small breakages of each rule
module its own tests notice. Not part of CI (too slow on two cores); run by hand:

    .venv/bin/pip install -e '.[test,mutation]'
    .venv/bin/python tests/mutation/run.py              # every module (about an hour)
    .venv/bin/python tests/mutation/run.py privacy      # one module
    .venv/bin/python tests/mutation/run.py --list       # the modules and their tests
    .venv/bin/python tests/mutation/run.py --resume nominees   # go on where a stopped run left off

For each module the script copies the checkout's tracked files (as they are in the work
tree) to a scratch folder (``$MUTATION_DIR``, by default ``/tmp/thi-dua-so-mutation``),
writes mutmut's configuration there (only that module mutated, only the test files that
cover it selected; mutmut then runs, for each mutant, the selected tests that call the
mutated function), runs ``mutmut run`` on SQLite with Hypothesis's fixed "ci" profile,
and prints the counts and every surviving mutant. ``mutmut show NAME`` in the scratch
folder's copy prints a mutant's diff. The work tree itself is never touched.

Results are listed in tests/README.md ("Mutation testing"), each survivor either killed by
a test or explained there as equivalent.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Target:
    files: tuple[str, ...]  # the module(s) mutated, relative to the root
    tests: tuple[str, ...]  # the test files (or node ids) that cover them
    # Restrict to these functions (mutmut's mangled names, fnmatch patterns): the rule
    # functions of a module that also does other work. Empty: every function.
    functions: tuple[str, ...] = field(default=())
    # Tests too slow to run for every mutant (node id prefixes): left out of mutmut's run,
    # then run against each of its survivors alone; a survivor they fail is killed.
    slow: tuple[str, ...] = field(default=())


def _in(module: str, *functions: str) -> tuple[str, ...]:
    """mutmut's names of the mutants of some functions (``Class.method`` for a method)."""
    return tuple(f"{module}.x{'ǁ'.join([''] + f.split('.')) if '.' in f else '_' + f}__mutmut_*" for f in functions)


# Each module's rule functions: what the module decides, not the plumbing around it
# (connections, temporary tables, audit entries, texts). The whole of each module is
# measured with --all-functions (hours on two cores).
TARGETS = {
    "privacy": Target(("emulation/privacy.py",), (
        "tests/leaderboards/test_privacy.py", "tests/badges/test_openbadges.py")),
    "progress": Target(("emulation/scoring/progress.py",), (
        "tests/emulation/scoring/test_progress.py", "tests/emulation/test_boundaries.py"),
        _in("emulation.scoring.progress", "Coverage.share", "Coverage.add", "UnitProgress.total", "UnitProgress.add",
            "UnitProgress.reached", "UnitProgress.absorb_unit", "UnitProgress.meets", "current_campaign")),
    # The importers' row rules: the cell parsers and what a report keeps of a value.
    "importing": Target(("emulation/imports/importers.py",), (
        "tests/emulation/imports/test_import_rows.py", "tests/emulation/imports/test_import_files.py"),
        _in("emulation.imports.importers", "quoted", "masked_national_id", "_stripped", "text", "code", "choice",
            "integer", "flag", "day", "Lookup.__missing__", "Lookup.optional", "national_id_hasher",
            "groups_list")),
    "awarding": Target(("badges/awarding.py", "badges/classes.py"), (
        "tests/badges/test_awarding.py", "tests/badges/test_classes.py", "tests/emulation/test_boundaries.py"),
        _in("badges.awarding", "_due_selects") + _in("badges.classes", "_badge_rules")),
    "nominees": Target(("emulation/commendation/nominees.py",), (
        "tests/emulation/commendation/test_nominees.py", "tests/emulation/test_boundaries.py"),
        _in("emulation.commendation.nominees", "list_rules", "_individuals")),
    "scoring": Target(("emulation/scoring/scores.py",), (
        "tests/emulation/scoring/test_scoring.py", "tests/emulation/scoring/test_sort_keys.py",
        "tests/emulation/scoring/test_sql_helpers.py", "tests/emulation/test_boundaries.py"),
        _in("emulation.scoring.scores", "_greatest", "_later_of_both", "_monday", "_required_by_group", "_in_list",
            "_unit_rows"),
        # 250 generated provinces: about a minute and a half a mutant on two shared cores.
        ("tests/emulation/scoring/test_scoring.py::test_the_engine_follows_the_rules",)),
}

# What the copy under mutants/ needs besides the packages: mutmut imports everything from
# there (the original files are taken off sys.path).
PACKAGES = ("emulation", "badges", "leaderboards", "accounts", "api")


def _toml_list(items) -> str:
    return "[" + ", ".join(json.dumps(str(i)) for i in items) + "]"


def prepare(name: str, target: Target, scratch: Path) -> Path:
    """A fresh copy of the tracked files with mutmut's configuration for ``target``."""
    copy = scratch / name
    if copy.exists():
        shutil.rmtree(copy)
    copy.mkdir(parents=True)
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True).stdout
    for rel in filter(None, tracked.decode().split("\0")):
        source = ROOT / rel
        if source.is_file():
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / rel)
    top = sorted({Path(rel).parts[0] for rel in filter(None, tracked.decode().split("\0"))}
                 - set(PACKAGES) - {"tests", "pyproject.toml", ".ci", ".gitignore", "bench"})
    config = f"""

[tool.mutmut]
source_paths = {_toml_list(PACKAGES)}
only_mutate = {_toml_list(target.files)}
also_copy = {_toml_list(t for t in top if (copy / t).exists())}
pytest_add_cli_args = {_toml_list(["-p", "no:cacheprovider", "-o", "addopts="]
                                  + [a for t in target.slow for a in ("--deselect", t)])}
pytest_add_cli_args_test_selection = {_toml_list(target.tests)}
use_git_change_detection = false
# Each mutant in a process forked from one that has run no test: a cache filled by the
# clean run (leaderboards.public's statements) would otherwise hide the mutant.
process_isolation = "forkserver"
"""
    with open(copy / "pyproject.toml", "a", encoding="utf-8") as out:
        out.write(config)
    return copy


RESULT = re.compile(r"^\s*(\S+): (.+)$")


def results(copy: Path, mutmut: str) -> dict[str, str]:
    out = subprocess.run([mutmut, "results", "--all", "true"], cwd=copy, capture_output=True, text=True)
    found = {}
    for line in out.stdout.splitlines():
        m = RESULT.match(line)
        if m and "__mutmut_" in m.group(1):
            found[m.group(1)] = m.group(2).strip()
    return found


def selected(found: dict[str, str], target: Target) -> dict[str, str]:
    if not target.functions:
        return found
    import fnmatch

    return {k: v for k, v in found.items() if any(fnmatch.fnmatchcase(k, p) for p in target.functions)}


def slow_pass(copy: Path, target: Target, found: dict[str, str], env: dict, run_them: bool) -> dict[str, str]:
    """Run the target's slow tests against each mutant that survived the rest; the statuses
    ("killed by the slow tests" or "survived") are kept in the copy for --report-only."""
    record = copy / "slow_pass.json"
    done = json.loads(record.read_text(encoding="utf-8")) if record.exists() else {}
    pending = sorted(k for k, v in found.items() if v == "survived" and k not in done) if run_them else []
    for i, name in enumerate(pending, 1):
        run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-o", "addopts=",
                              *target.slow], cwd=copy / "mutants", env={**env, "MUTANT_UNDER_TEST": name},
                             capture_output=True, text=True)
        # 1: a test failed (killed); 0: passed (survived); anything else is an error of the run.
        done[name] = {0: "survived", 1: "killed"}.get(run.returncode, f"error {run.returncode}")
        print(f"   slow tests, {i}/{len(pending)}: {name}: {done[name]}", flush=True)
        record.write_text(json.dumps(done, indent=1, sort_keys=True), encoding="utf-8")
    return {k: (done.get(k, v) if v == "survived" else v) for k, v in found.items()}


def summary(name: str, found: dict[str, str]) -> dict:
    counts: dict[str, int] = {}
    for status in found.values():
        counts[status] = counts.get(status, 0) + 1
    killed = counts.get("killed", 0)
    timeout = counts.get("timeout", 0)
    total = len(found)
    return {"module": name, "total": total, "killed": killed, "timeout": timeout,
            "survived": counts.get("survived", 0), "other": {k: v for k, v in counts.items()
                                                          if k not in ("killed", "timeout", "survived")},
            "kill_rate": round((killed + timeout) / total, 4) if total else None,
            "survivors": sorted(k for k, v in found.items() if v not in ("killed", "timeout"))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help=f"some of: {', '.join(TARGETS)} (default: all)")
    parser.add_argument("--list", action="store_true", help="show the modules and their tests")
    parser.add_argument("--max-children", type=int, default=2, help="mutants run at once (default 2)")
    parser.add_argument("--report-only", action="store_true", help="summarise the last run's results again")
    parser.add_argument("--resume", action="store_true",
                        help="go on with the last run's copy: only the mutants not checked yet are run")
    parser.add_argument("--all-functions", action="store_true", help="every function of each module, not only its rules")
    args = parser.parse_args()
    if args.list:
        for name, t in TARGETS.items():
            print(f"{name}: {', '.join(t.files)}\n    tests: {', '.join(t.tests)}"
                  + (f"\n    functions: {', '.join(t.functions)}" if t.functions else "")
                  + (f"\n    slow tests (run against the survivors only): {', '.join(t.slow)}" if t.slow else ""))
        return 0
    unknown = set(args.modules) - set(TARGETS)
    if unknown:
        parser.error(f"unknown module(s): {', '.join(sorted(unknown))}")
    mutmut = str(Path(sys.executable).with_name("mutmut"))
    if not Path(mutmut).exists():
        parser.error(f"{mutmut} not found: pip install -e '.[test,mutation]'")
    scratch = Path(os.environ.get("MUTATION_DIR") or Path(tempfile.gettempdir()) / "thi-dua-so-mutation")
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL", "REQUIRE_POSTGRESQL",
                                                            "REQUIRE_BROWSER")}
    env["HYPOTHESIS_PROFILE"] = "ci"
    names = args.modules or list(TARGETS)
    if not (args.report_only or args.resume):  # every copy first: the work tree may change while mutmut runs
        for name in names:
            prepare(name, TARGETS[name], scratch)
    summaries = []
    for name in names:
        target = TARGETS[name]
        if args.all_functions:
            target = Target(target.files, target.tests)
        copy = scratch / name
        if not args.report_only:
            print(f"== {name}: mutmut in {copy}", flush=True)
            patterns = list(target.functions) or [f"{Path(f).with_suffix('').as_posix().replace('/', '.')}.*"
                                                  for f in target.files]
            found = selected(results(copy, mutmut), target) if args.resume and copy.exists() else {}
            if found:
                # mutmut runs again every mutant it is named, checked or not: name only the rest.
                patterns = sorted(k for k, v in found.items() if v == "not checked")
                print(f"   {len(patterns)} mutants not checked yet", flush=True)
            elif args.resume and not copy.exists():
                prepare(name, target, scratch)
            if patterns:
                subprocess.run([mutmut, "run", "--max-children", str(args.max_children), *patterns], cwd=copy,
                               env=env)
        found = selected(results(copy, mutmut), target)
        if target.slow:
            found = slow_pass(copy, target, found, env, run_them=not args.report_only)
        s = summary(name, found)
        summaries.append(s)
        (copy / "summary.json").write_text(json.dumps(s, indent=2), encoding="utf-8")
    print()
    print(f"{'module':<10} {'total':>6} {'killed':>7} {'timeout':>8} {'survived':>9} {'other':>6} {'kill rate':>10}")
    for s in summaries:
        rate = f"{100 * s['kill_rate']:.1f}%" if s["kill_rate"] is not None else "-"
        print(f"{s['module']:<10} {s['total']:>6} {s['killed']:>7} {s['timeout']:>8} {s['survived']:>9} "
              f"{sum(s['other'].values()):>6} {rate:>10}")
    total = sum(s["total"] for s in summaries)
    if total:
        killed, timeout = sum(s["killed"] for s in summaries), sum(s["timeout"] for s in summaries)
        survived, other = sum(s["survived"] for s in summaries), sum(sum(s["other"].values()) for s in summaries)
        print(f"{'all':<10} {total:>6} {killed:>7} {timeout:>8} {survived:>9} {other:>6} "
              f"{100 * round((killed + timeout) / total, 4):>9.1f}%")
    for s in summaries:
        for survivor in s["survivors"]:
            print(f"survivor {s['module']}: {survivor}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
