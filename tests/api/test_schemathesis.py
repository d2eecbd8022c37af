"""schemathesis against /api/v1/openapi.json: requests generated from the document for every
operation, sent to the app with an administrator's token and with a unit manager's (whose
scope turns many answers into 403s); every answer must match the
document (status, headers, body) and none may be a 5xx."""
from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.openapi import document
from tests.pages import make_token

# The document as the app serves it (test_api.py checks that the app serves this one).
schema = schemathesis.openapi.from_dict(document("http://localhost/api/v1"))


@pytest.fixture
def published(app, staff, campaign, world, runner):
    """The seeded province with completions and a published board, so that pages have entries."""
    world.load("completions", [{"person_id": p, "skill_code": "S1", "completed_on": date(2025, 4, d),
                                "source": "mooc"} for p, d in (("P1", 1), ("P2", 2), ("P4", 3))])
    result = runner.invoke(args=["leaderboard", "publish", "--campaign", campaign, "--as-of", "2025-12-31"])
    assert result.exit_code == 0, result.output
    return {role: make_token(app, staff[role])[1] for role in ("admin", "manager")}


@pytest.mark.parametrize("role", ["admin", "manager"])
@schema.parametrize()
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_every_answer_matches_the_document(case, app, published, role):
    case.operation.schema.app = app  # every request, the checks' own probes too, goes to this test's app
    # A well-formed row may still name a person or skill that does not exist: a 422 there is
    # the import's rule, not a rejection of valid data.
    excluded = [positive_data_acceptance] if case.operation.path == "/completions" else []
    case.call_and_validate(app=app, headers={"Authorization": f"Bearer {published[role]}"}, excluded_checks=excluded)
