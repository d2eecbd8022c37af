"""What the board tests share: the 2025 campaign's boards published as of 2025-12-31, over
three completions (P1, P2, P3)."""
from datetime import date

import pytest


@pytest.fixture
def published(world, runner, campaign):
    world.load("completions", [
        {"person_id": "P1", "skill_code": "S1", "completed_on": date(2025, 3, 15), "source": "mooc"},
        {"person_id": "P2", "skill_code": "S1", "completed_on": date(2025, 5, 5), "source": "session"},
        {"person_id": "P3", "skill_code": "S2", "completed_on": date(2025, 6, 1), "source": "vneid"}])
    result = runner.invoke(args=["leaderboard", "publish", "--campaign", "bdhvs-2025", "--as-of", "2025-12-31"])
    assert result.exit_code == 0, result.output
