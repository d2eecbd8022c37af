"""The suite cannot pass without PostgreSQL where PostgreSQL is required (.ci/run)."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASE = "tests/test_app.py::test_the_schema_is_fresh_for_every_test"


def _pytest(**env):
    environ = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL", "REQUIRE_POSTGRESQL")}
    return subprocess.run([sys.executable, "-m", "pytest", "-o", "addopts=", "-q", "-p", "no:cacheprovider", CASE],
                          cwd=ROOT, env={**environ, **env}, capture_output=True, text=True)


def test_an_unreachable_postgresql_is_a_failure_when_required():
    unreachable = "postgresql://postgres@127.0.0.1:1/test"  # nothing listens on port 1
    skipped = _pytest(TEST_DATABASE_URL=unreachable)
    assert skipped.returncode == 0 and "1 passed, 1 skipped" in skipped.stdout, skipped.stdout
    required = _pytest(TEST_DATABASE_URL=unreachable, REQUIRE_POSTGRESQL="1")
    assert required.returncode != 0 and "REQUIRE_POSTGRESQL=1" in required.stdout, required.stdout


def test_an_unset_postgresql_is_a_failure_when_required():
    required = _pytest(REQUIRE_POSTGRESQL="1")
    assert required.returncode != 0 and "TEST_DATABASE_URL is not set" in required.stdout, required.stdout
