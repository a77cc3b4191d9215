"""Two gunicorn app servers, one background-job worker, one PostgreSQL database and one S3
server, all real processes on loopback: what happens through one server is seen by the
other, as behind a load balancer that sends each request anywhere.

The worker is a real `manage.py db_worker` process on the test database: the job started
through A is run by it and seen through B.

Runs only on PostgreSQL (the PostgreSQL run of `make test`): an in-memory SQLite test
database cannot be shared between processes, and SQLite is for one app server anyway."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
import requests

from kravspar.accounts import services as account_services
from kravspar.followups.tests.conftest import contract, make_contract, planned, quality_activity  # noqa: F401
from kravspar.followups.tests.test_views import PDF
from kravspar.testing.factories import SupplierFactory
from kravspar.testing.servers import S3, app_env, gunicorns, s3_server, shared_database_url, worker

# The servers see only committed rows, so the test commits (transaction=True) and the test
# database is flushed after it. pytest-django runs such tests after all the others, and this
# is the suite's only one, so no later test misses what the migrations loaded (CPV codes).
# The skip is a mark, not a call in the test: on SQLite the flush itself must not run (the
# history's triggers refuse DELETE).
pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="several app servers need a database they can share: runs in the PostgreSQL run of make test",
    ),
    pytest.mark.django_db(transaction=True),
]
PASSWORD = "Korrekt-hast-batteri-42"


@pytest.fixture
def cluster(settings: Any) -> Iterator[tuple[str, str, S3]]:
    with ExitStack() as stack:
        s3 = stack.enter_context(s3_server())
        env = app_env(shared_database_url(), s3, KRAVSPAR_LOGIN_MAX_FAILURES="3")
        stack.enter_context(worker(env))  # starts while the app servers start
        a, b = stack.enter_context(gunicorns(env, 2, workers=1, threads=4))
        settings.STORAGES = {**settings.STORAGES, "default": s3.storage_options()}
        settings.KRAVSPAR_LOGIN_MAX_FAILURES = 3
        yield a.url, b.url, s3


def _login(session: requests.Session, base: str, username: str, password: str) -> requests.Response:
    page = session.get(f"{base}/logga-in/", timeout=10)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert match, page.text[:500]
    return session.post(
        f"{base}/logga-in/",
        data={"csrfmiddlewaretoken": match.group(1), "username": username, "password": password},
        timeout=10,
        allow_redirects=False,
    )


def _csrf(session: requests.Session, url: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', session.get(url, timeout=10).text)
    assert match
    return match.group(1)


def _password(user: Any, settings: Any) -> None:
    # The servers check passwords with the production hashers (the tests' own is MD5).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])


def test_session_lockout_upload_and_job_cross_between_servers(
    world: Any,
    quality_activity: Any,  # noqa: F811
    cluster: tuple[str, str, S3],
    settings: Any,
) -> None:
    a, b, s3 = cluster
    _password(world.orderer_vm, settings)
    _password(world.officer, settings)

    # A session made on A is a session on B.
    orderer = requests.Session()
    assert _login(orderer, a, "orderer_vm", PASSWORD).status_code == 302
    home = orderer.get(f"{b}/", timeout=10, allow_redirects=False)
    assert home.status_code == 200, home.status_code

    # Failed logins counted on A lock the account on B: the right password is refused there.
    for _ in range(3):
        assert _login(requests.Session(), a, "officer", "fel-losenord").status_code == 200
    refused = requests.Session()
    assert _login(refused, b, "officer", PASSWORD).status_code == 200
    assert refused.get(f"{b}/", timeout=10, allow_redirects=False).status_code == 302
    assert account_services.login_locked_minutes("officer") > 0

    # Evidence uploaded through A is in the bucket and downloaded through B.
    detail = f"/uppfoljning/{quality_activity.uuid}/"
    posted = orderer.post(
        f"{a}{detail}underlag/",
        data={"csrfmiddlewaretoken": _csrf(orderer, f"{a}{detail}")},
        files={"file": ("protokoll.pdf", PDF, "application/pdf")},
        timeout=10,
        allow_redirects=False,
    )
    assert posted.status_code == 302, posted.text[:500]
    evidence = quality_activity.evidence.get()
    assert s3.object_keys() == [evidence.file.name]
    download = orderer.get(f"{b}{detail}underlag/{evidence.uuid}/", timeout=10)
    assert download.status_code == 200 and download.content == PDF

    # A job started on A runs in the worker; B shows its progress and serves its result.
    SupplierFactory.create(name="Västerås Städ AB")
    started_job = orderer.post(
        f"{a}/jobb/export/leverantorer/",
        data={"csrfmiddlewaretoken": _csrf(orderer, f"{a}/jobb/export/leverantorer/"), "format": "csv"},
        timeout=10,
        allow_redirects=False,
    )
    assert started_job.status_code == 302, started_job.text[:500]
    job_url = started_job.headers["Location"]
    deadline = time.monotonic() + 60  # about a second on an idle machine
    while time.monotonic() < deadline:
        fragment = orderer.get(f"{b}{job_url}", headers={"HX-Request": "true"}, timeout=10).text
        if 'data-status="succeeded"' in fragment or 'data-status="failed"' in fragment:
            break
        time.sleep(0.2)
    assert 'data-status="succeeded"' in fragment, fragment
    result = orderer.get(f"{b}{job_url}resultat", timeout=10)
    assert result.status_code == 200 and "Västerås Städ AB" in result.content.decode("utf-8-sig")
