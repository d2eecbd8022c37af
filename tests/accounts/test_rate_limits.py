"""Rate limits (issue 13, "Also"): Flask-Limiter, one limiter per app, counting in Redis
when REDIS_URL is set (every worker process and server of a deployment together), in each
process's memory otherwise; 429 with Retry-After, as a page or, on the API, as JSON.

The Redis cases use TEST_REDIS_URL (default redis://127.0.0.1:6379/0) with keys under a
prefix of their own, removed afterwards; they are skipped when Redis cannot be reached."""
import os
import uuid

import pytest

from tests.pages import Web, make_token


@pytest.fixture
def redis_config():
    """Configuration of apps counting in the test Redis, under a prefix of this test's own."""
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis at TEST_REDIS_URL is not reachable: {exc}")
    prefix = f"test-{uuid.uuid4().hex}"
    yield {"REDIS_URL": url, "RATELIMIT_KEY_PREFIX": prefix}
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)
    client.close()


def _lookups(app, n, address="203.0.113.5"):
    client = app.test_client()
    return [client.get("/p?code=ABCD", environ_base={"REMOTE_ADDR": address}) for _ in range(n)]


def test_with_redis_every_process_counts_together(make_app, staff, redis_config, probe):
    first, second = (make_app(create_schema=False, LOOKUPS_PER_MINUTE=2, API_RATE_PER_MINUTE=2, **redis_config)
                     for _ in range(2))
    assert [r.status_code for r in _lookups(first, 2)] == [404, 404]
    refused = _lookups(second, 1)[0]
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 61
    assert "Quá nhiều yêu cầu" in refused.get_data(as_text=True)
    assert _lookups(second, 1, address="203.0.113.6")[0].status_code == 404  # another address
    # The API counts per account, every endpoint together.
    _, token = make_token(first, staff["viewer"])
    bearer = {"Authorization": f"Bearer {token}"}
    assert first.test_client().get("/api/v1/campaigns", headers=bearer).status_code == 200
    assert second.test_client().get("/api/v1/openapi.json", headers=bearer).status_code == 200
    refused = second.test_client().get("/api/v1/campaigns", headers=bearer)
    assert refused.status_code == 429 and refused.get_json()["status"] == 429 and refused.headers["Retry-After"]


def test_without_redis_each_process_counts_apart(make_app, staff):
    first, second = (make_app(create_schema=False, LOOKUPS_PER_MINUTE=2) for _ in range(2))
    assert [r.status_code for r in _lookups(first, 3)] == [404, 404, 429]
    assert _lookups(second, 1)[0].status_code == 404


def test_an_unreachable_redis_leaves_each_process_counting_in_memory(make_app, staff):
    app = make_app(create_schema=False, LOOKUPS_PER_MINUTE=2, REDIS_URL="redis://127.0.0.1:9/0")
    assert [r.status_code for r in _lookups(app, 3)] == [404, 404, 429]
    assert app.test_client().get("/login").status_code == 200


def test_sign_in_forms_are_limited_per_address(make_app, staff):
    app = make_app(create_schema=False, SIGN_INS_PER_MINUTE=3)
    web = Web(app.test_client())
    web.client.environ_base["REMOTE_ADDR"] = "203.0.113.5"
    statuses = [web.login(f"nobody{i}@laichau.test", "wrong").status_code for i in range(4)]
    assert statuses == [401, 401, 401, 429]
    assert web.get("/login").status_code == 200  # reading the page is not counted
    other = Web(app.test_client())
    other.client.environ_base["REMOTE_ADDR"] = "192.0.2.1"
    assert other.login(staff["viewer"]).status_code == 302
