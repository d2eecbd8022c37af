"""Sign-in throttling (issue 13, item 5): nobody can lock an account out, the admin's
included, and guessing stays impractical. Delays grow per (account, address) pair, per
address and per account (accounts/throttle.py); they are counted in the database, so every
worker process of the deployment sees the same counts.

The simulations call the service with an explicit ``now`` and an attacker who tries again
the moment each refusal's Retry-After has passed; the password check itself is replaced by
a cheap one there (the hash's cost is not what is measured)."""
from datetime import timedelta
from itertools import count

import pytest

from tests.pages import PASSWORD, Web

DAY = timedelta(hours=24)


@pytest.fixture
def attempt(app, monkeypatch):
    """``attempt(email, password, address, now)``: (status, retry_after) of one sign-in."""
    from accounts import services

    monkeypatch.setattr(services, "check_password_hash", lambda _hash, password: password == PASSWORD)

    def run(email, password, address, now):
        with app.app_context():
            result = services.authenticate(email, password, address, now=now)
            return result.status, result.retry_after
    return run


@pytest.fixture
def start():
    from extensions import utcnow

    return utcnow()


def guesses_in_a_day(attempt, start, emails, addresses) -> int:
    """Wrong passwords an attacker gets checked in 24 hours, trying again as soon as allowed."""
    now, guesses = start, 0
    email, address = next(emails), next(addresses)
    while now < start + DAY:
        status, wait = attempt(email, "not the password", address, now)
        if status == 429:
            assert wait >= 1
            now += timedelta(seconds=wait)
        else:
            assert status == 401
            guesses += 1
            email, address = next(emails), next(addresses)
    return guesses


def same(value):
    while True:
        yield value


def numbered(template):
    for i in count():
        yield template.format(i)


def test_brute_force_from_one_address_gets_about_forty_guesses_a_day(app, staff, attempt, start):
    guesses = guesses_in_a_day(attempt, start, same(staff["admin"]), same("203.0.113.7"))
    assert 30 <= guesses <= 45, guesses


def test_brute_force_from_rotating_addresses_gets_a_few_hundred_guesses_a_day(app, staff, attempt, start):
    guesses = guesses_in_a_day(attempt, start, same(staff["admin"]), numbered("198.51.{}.9"))
    assert 300 <= guesses <= 360, guesses


def test_one_address_trying_many_accounts_gets_about_a_hundred_guesses_a_day(app, staff, attempt, start):
    guesses = guesses_in_a_day(attempt, start, numbered("someone{}@laichau.test"), same("203.0.113.8"))
    assert 100 <= guesses <= 140, guesses


def test_the_owner_signs_in_from_their_address_while_attackers_guess_elsewhere(app, staff, attempt, start):
    admin = staff["admin"]
    assert attempt(admin, PASSWORD, "192.0.2.1", start) == (200, None)  # the owner's usual address
    now = start
    for address in ("203.0.113.7", *(f"198.51.{i}.9" for i in range(80))):  # one, then many addresses
        for _ in range(8):
            status, wait = attempt(admin, "guess", address, now)
            if status == 429:
                break
    # Delays are in force now: the first attacker's pair, and the account's for new addresses.
    assert attempt(admin, PASSWORD, "203.0.113.7", now)[0] == 429
    assert attempt(admin, PASSWORD, "198.51.200.9", now)[0] == 429
    # The owner, at the address they signed in from, is not held up at all.
    assert attempt(admin, PASSWORD, "192.0.2.1", now) == (200, None)
    # From a new address, they wait at most the account's ceiling (5 minutes), then get in.
    status, wait = attempt(admin, PASSWORD, "192.0.2.99", now)
    assert status == 429 and wait <= 300
    assert attempt(admin, PASSWORD, "192.0.2.99", now + timedelta(seconds=wait)) == (200, None)


def test_wrong_passwords_from_one_address_do_not_refuse_the_owner_elsewhere(app, staff):
    """Through the sign-in page: a dozen wrong passwords for the admin from one address, then
    the admin signs in at once from another (their first sign-in from there)."""
    attacker = Web(app.test_client())
    attacker.client.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    statuses = [attacker.login(staff["admin"], "wrong password").status_code for _ in range(12)]
    assert statuses[:5] == [401] * 5 and 429 in statuses
    refused = attacker.login(staff["admin"], "wrong password")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert "Hãy đợi" in refused.get_data(as_text=True)
    owner = Web(app.test_client())
    owner.client.environ_base["REMOTE_ADDR"] = "192.0.2.1"
    assert owner.login(staff["admin"]).status_code == 302
    assert owner.get("/admin/users").status_code == 200


def test_a_refused_attempt_checks_no_password_and_writes_nothing(app, staff, attempt, start, probe):
    for _ in range(5):
        assert attempt(staff["viewer"], "wrong", "203.0.113.7", start)[0] == 401
    before = probe.dump()
    status, wait = attempt(staff["viewer"], PASSWORD, "203.0.113.7", start)
    assert status == 429 and wait == 1  # the right password too: the pair waits first
    assert probe.dump() == before
    assert attempt(staff["viewer"], PASSWORD, "203.0.113.7", start + timedelta(seconds=1)) == (200, None)


def test_failures_are_counted_for_the_whole_deployment(make_app, staff, monkeypatch, start):
    """Two processes (two apps on one database) see the same failures. At a fixed moment:
    with the clock running, five slow sign-ins on a loaded machine could outlast the
    1-second wait they earn, and the sixth would pass for that reason alone."""
    from accounts import services

    monkeypatch.setattr(services, "check_password_hash", lambda _hash, password: password == PASSWORD)
    first, second = make_app(create_schema=False), make_app(create_schema=False)
    for _ in range(5):
        with first.app_context():
            assert services.authenticate(staff["viewer"], "wrong", "203.0.113.7", now=start).status == 401
    with second.app_context():
        refused = services.authenticate(staff["viewer"], PASSWORD, "203.0.113.7", now=start)
    assert (refused.status, refused.retry_after) == (429, 1)
    with first.app_context():  # and the first process counts what the second one saw
        assert services.authenticate(staff["viewer"], PASSWORD, "203.0.113.7", now=start).status == 429


def test_failures_are_forgotten_after_a_day(app, staff, attempt, start):
    for _ in range(5):
        attempt(staff["viewer"], "wrong", "203.0.113.7", start)
    assert attempt(staff["viewer"], "wrong", "203.0.113.7", start)[0] == 429
    assert attempt(staff["viewer"], PASSWORD, "203.0.113.7", start + DAY + timedelta(seconds=1)) == (200, None)
