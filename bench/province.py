"""What the benchmarks run on a loaded demo province share: ``--db FILE`` (SQLite) or
``--pg-url URL`` (PostgreSQL), ``--campaign``, ``--as-of`` and ``--runs``, the app bound to
it, the machine line and the load average they print, and the guard on the names of the
PostgreSQL databases a bench drops and creates."""
import argparse
import os
import platform
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


# A PostgreSQL database that a bench drops and creates must be named for it: a name starting
# with this, or with the environment's BENCH_PG_PREFIX (e.g. on a server whose bench
# databases follow another naming).
PG_NAME_PREFIX = "tds_bench"


def pg_name_allowed(name: str) -> bool:
    extra = os.environ.get("BENCH_PG_PREFIX", "")
    return name.startswith(PG_NAME_PREFIX) or bool(extra) and name.startswith(extra)


def machine() -> str:
    """The machine line the benches print: cores, CPU, system, Python."""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    except OSError:
        cpu = platform.processor()
    return (f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def load_average() -> str:
    """Other work on the machine skews the timings; the 1, 5 and 15 minute load averages say how much."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def arguments(description: str, argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--db", type=Path, help="a SQLite file with the demo province (see scoring_bench.py)")
    p.add_argument("--pg-url", help="a PostgreSQL database with the demo province (see scoring_bench.py)")
    p.add_argument("--campaign", default="bdhvs-2026")
    p.add_argument("--as-of", default="2026-11-27")
    p.add_argument("--runs", type=int, default=3, help="runs of each measurement, both sides (the best counts)")
    a = p.parse_args(argv)
    if bool(a.db) == bool(a.pg_url):
        sys.exit("give --db or --pg-url")
    if a.runs < 1:
        sys.exit("--runs must be at least 1")
    a.url = a.pg_url or f"sqlite:///{a.db.resolve()}"
    a.as_of = date.fromisoformat(a.as_of)
    return a


def app_and_campaign(a: argparse.Namespace):
    """The app bound to the province's database, and the campaign's id (exits if unknown).
    Call inside nothing: it pushes no context."""
    import sqlalchemy as sa

    from app import create_app
    from config import normalise_database_url
    from emulation.models import Campaign
    from extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": normalise_database_url(a.url)})
    with app.app_context():
        cid = db.session.scalar(sa.select(Campaign.id).where(Campaign.code == a.campaign))
    if cid is None:
        sys.exit(f"no campaign {a.campaign} in {a.url}")
    return app, cid
