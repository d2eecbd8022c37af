"""Every route of the app, with every role, fed hostile path and query values: never a 5xx.

The routes come from ``app.url_map`` (so a new route is walked without being listed here);
their arguments and query parameters get values a reviewer would try: huge and negative
numbers, cursors that overflow a 64-bit integer, percent-escapes that are not UTF-8,
nested brackets, very long strings, path traversal. The world is that of tests/test_access.py
(a published board, a badge, a nominee list, import jobs, one account per role).
"""
import re
from dataclasses import dataclass
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .pages import Web
from .routes import ANONYMOUS, ROLES, SAMPLES
from .test_access import access_world  # noqa: F401  (the fixture)

HOSTILE = (
    "99999999999999999999", "-99999999999999999999", "-1", "0", "1e308", "NaN", "9" * 400,
    "99999999999999999999:P1", "-1:P1", "1:", ":", "0:" + "x" * 300, "1:%00",
    "%FF%FE", "%C0%AF", "%ED%A0%80", "%00", "%0d%0aSet-Cookie:%20x=1",
    "[" * 2000, "{" * 2000, "[[[]]]", "a" * 10_000, "0000", "9999-Q4", "2025-Q9", "10000-H1",
    "..%2F..%2F..%2Fetc%2Fpasswd", "../../tmp/x", "%2e%2e", "2025-13-45", "-2025-01-01",
    "<script>alert(1)</script>", "'; DROP TABLE units; --", "P1", "bdhvs-2025", "people", "units",
)
# Query parameters some view reads (a hostile value for each is drawn); others are ignored.
PARAMETERS = ("page", "hpage", "after", "before", "around", "limit", "campaign", "board", "bracket",
              "commune", "scope", "find", "q", "id", "code", "action", "as_of", "print", "lang", "next")
WHO = (ANONYMOUS, *ROLES)

value = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40).map(lambda s: s.replace("/", "%2F")),
                  st.integers().map(str))


@dataclass(frozen=True)
class Route:
    rule: str
    method: str
    api: bool
    allowed: tuple  # who may open it (tests/routes.py)
    arguments: tuple  # (name, (valid values…)) of its path arguments, from the samples
    parameters: tuple  # the query parameters its samples use


def _routes(app, world) -> list[Route]:
    """Every rule and method of ``app.url_map``, with what the samples of tests/routes.py
    say of it: who may open it, valid path arguments (so that hostile query values reach a
    real page, not a 404) and the query parameters it reads."""
    adapter = app.url_map.bind("localhost")
    samples = {}
    for s in SAMPLES:
        path, _, query = s.url.format(**world).partition("?")
        endpoint, args = adapter.match(path, s.method)
        known = samples.setdefault((endpoint, s.method), (set(), {}, set()))
        known[0].update(s.allowed)
        for k, v in args.items():
            known[1].setdefault(k, set()).add(str(v))
        known[2].update(k for k, _, _v in (p.partition("=") for p in query.split("&")) if k)
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            allowed, args, params = samples[(rule.endpoint, method)]
            out.append(Route(rule.rule, method, rule.endpoint.startswith("api."), tuple(sorted(allowed)),
                             tuple((k, tuple(sorted(v))) for k, v in sorted(args.items())), tuple(sorted(params))))
    return sorted(out, key=lambda r: (r.rule, r.method))


def _quote(text: str) -> str:
    # Keep the percent-escapes of HOSTILE as written (they are the point); escape what a URL cannot carry.
    return re.sub(r"[^A-Za-z0-9%._~:\-\[\]{}<>'\";,=+!*()@$^|`]", lambda m: "".join(
        f"%{b:02X}" for b in m.group().encode("utf-8")), text)


@pytest.fixture
def hostile(app, access_world, signed_in):  # noqa: F811
    from emulation.models import Campaign
    from extensions import db
    from leaderboards.publishing import publish

    with app.app_context():
        publish(db.session.scalar(db.select(Campaign).where(Campaign.code == "bdhvs-2025")), date(2025, 12, 31),
                actor="test")
    clients = {ANONYMOUS: Web(app.test_client())}
    for role in ROLES:
        clients[role] = signed_in(role)
    return clients, _routes(app, access_world), access_world["tokens"]


@settings(max_examples=1200, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_no_route_answers_5xx_to_hostile_parameters(app, hostile, data):
    clients, routes, tokens = hostile
    route = data.draw(st.sampled_from(routes), label="route")
    method, api = route.method, route.api
    # Mostly someone the route admits (so that its parameters are read), now and then anyone.
    who = data.draw(st.sampled_from(route.allowed) | st.sampled_from(WHO), label="who")
    valid = dict(route.arguments)

    def argument(m):
        name = m.group(1)
        hostile = data.draw(st.booleans(), label=f"hostile {name}") if valid.get(name) else True
        if not hostile:
            return _quote(data.draw(st.sampled_from(valid[name]), label=name))
        return _quote(data.draw(value, label=name))

    url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", argument, route.rule)
    names = data.draw(st.lists(st.sampled_from(route.parameters + PARAMETERS) if route.parameters
                               else st.sampled_from(PARAMETERS), max_size=4, unique=True), label="parameters")
    query = "&".join(f"{n}={_quote(data.draw(value, label=n))}" for n in names)
    if query:
        url += "?" + query
    web = clients[who]
    if api:
        headers = {} if who == ANONYMOUS else {"Authorization": f"Bearer {tokens[who]}"}
        r = app.test_client().open(url, method=method, headers=headers,
                                   json={"rows": [{"person_id": "P1"}]} if method == "POST" else None)
    elif method == "GET":
        r = web.get(url)
    elif url.endswith(("/logout", "/revoke", "/freeze", "/reset", "/active", "/commit", "/rederive")):
        r = web.client.post(url)  # without the CSRF token: refused, the world stays as it is
    else:
        r = web.post(url, {})
    assert r.status_code < 500, f"{method} {url} as {who}: {r.status_code}\n{r.get_data(as_text=True)[:1500]}"
