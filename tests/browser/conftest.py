"""Fixtures for the browser tests: the real app in a subprocess, and one Chromium.

The app runs as ``manage.py runserver`` against a throw-away SQLite database loaded
with ``seed_demo``, so the browser sees exactly what ``make run`` shows. pytest-django's
``live_server`` is not used: its transactional flush deletes rows, and the history
table's triggers refuse DELETE.

These tests never touch the test database. They carry no ``django_db`` mark, so
pytest-django keeps blocking database access for them.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
# Debian's headless shell (package chromium-headless-shell) is the same Chromium version's Blink and
# V8 without the full browser around it: about a third less CPU for the whole browser run
# (docs/benchmarks.md, "The test suite"). The full Chromium is the fallback.
HEADLESS_SHELL = Path("/usr/bin/chromium-headless-shell")
CHROMIUM = HEADLESS_SHELL if HEADLESS_SHELL.exists() else Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # One renderer process for the pages and the compositor in the browser process: fewer
    # processes started per browser context (docs/benchmarks.md, "The test suite").
    "--renderer-process-limit=1",
    "--in-process-gpu",
]
DEMO_PASSWORD = "kravspar-demo-2026"  # seed_demo.DEMO_PASSWORD
# Generous: make test starts this server while mypy and both database runs share the cores.
STARTUP_SECONDS = 180


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the browser tests last.

    While Playwright's sync API is alive it leaves an asyncio loop marked as running in
    the main thread: Django then refuses ORM calls ("You cannot call this from an async
    context") and ``asyncio.run()`` refuses to start. The browser is session-scoped, so
    a test collected after the browser tests could fail for no reason of its own.
    (pytest-django already puts database tests first; this also covers the rest.)
    """
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _server_env(var_dir: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "insecure-key-for-tests-only",
        "KRAVSPAR_VAR_DIR": var_dir,
        # localhost too: security keys (WebAuthn) refuse an IP address as the site's name.
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "KRAVSPAR_HTTPS": "0",  # session and CSRF cookies over plain http
        "PYTHONUNBUFFERED": "1",
        # The demo personas log in with a password only; two-factor login has its own tests,
        # which require it of a role no demo persona has (tests/browser/test_identity.py).
        "KRAVSPAR_2FA_REQUIRED_ROLES": "dataskyddsombud",
        # E-mail goes to files, one per message, so tests can follow links in it (`mailbox`).
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "DJANGO_EMAIL_FILE_PATH": str(Path(var_dir) / "mail"),
    }
    # Always the throw-away SQLite database, even when the caller points at PostgreSQL.
    env.pop("DATABASE_URL", None)
    return env


def _manage(*args: str, env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,  # seed_demo: about a minute alone, several on a loaded machine
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}",
            pytrace=False,
        )


def _migrate(database: Path, env: dict[str, str]) -> None:
    """Migrate the app server's fresh SQLite file. Under ``make test`` the SQLite run's
    workers and this server share one migrated template (``KRAVSPAR_TEST_TEMPLATE_DIR``,
    ``kravspar.testing.migrated_template``): whichever comes first migrates, the other
    copies the result, one SQLite ``migrate`` (about 30 s of CPU) fewer."""
    named = os.environ.get("KRAVSPAR_TEST_TEMPLATE_DIR")
    if not named:
        _manage("migrate", "--no-input", "-v", "0", env=env)
        return
    from kravspar.testing import migrated_template

    migrated_template.sqlite_file(
        migrated_template.shared_folder(Path(named)),
        database,
        lambda: _manage("migrate", "--no-input", "-v", "0", env=env),
    )


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - our own http://127.0.0.1 server
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


_MAIL_DIR: list[Path] = []
_SERVER_ENV: dict[str, str] = {}


@pytest.fixture
def on_server(live_app: str) -> Callable[[str], str]:
    """on_server(code) -> what the Python code printed, run by `manage.py shell` against the
    app server's database: for a test's own records (a dedicated organisation or person),
    so that no test changes what the demo's records are for other tests."""

    def run(code: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env=_SERVER_ENV,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            pytest.fail(f"manage.py shell failed:\n{result.stdout}\n{result.stderr}", pytrace=False)
        return result.stdout

    return run


@pytest.fixture
def mailbox(live_app: str) -> Callable[[], str]:
    """mailbox() -> the text of every e-mail the app server has sent so far, oldest first."""

    def read() -> str:
        folder = _MAIL_DIR[0]
        if not folder.exists():
            return ""
        files = sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime_ns)
        return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in files)

    return read


# The single sign-on providers the app server trusts: a real SAML IdP and a real OIDC provider,
# each its own process on loopback (kravspar/testing/saml_idp.py, oidc_provider.py).
_PROVIDERS: dict[str, str] = {}
OIDC_CLIENT = ("kravspar-browser", "browser-test-secret-0123456789")


@pytest.fixture
def sso_providers(live_app: str) -> dict[str, str]:
    """{"saml": the IdP's address, "oidc": the OIDC provider's} for the running app server;
    tell them who logs in next with saml_idp.next_login / oidc_provider.next_login."""
    return dict(_PROVIDERS)


@pytest.fixture(scope="session")
def live_app() -> Iterator[str]:
    """The base URL of the running app, e.g. ``http://127.0.0.1:54321``."""
    from kravspar.testing import oidc_provider, saml_idp

    with contextlib.ExitStack() as stack:
        var_dir = stack.enter_context(
            tempfile.TemporaryDirectory(prefix="kravspar-browser-", ignore_cleanup_errors=True)
        )
        _MAIL_DIR[:] = [Path(var_dir) / "mail"]
        env = _server_env(var_dir)
        _migrate(Path(var_dir) / "db.sqlite3", env)
        _manage("seed_demo", env=env)
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        saml_dir = Path(var_dir) / "saml"
        saml_dir.mkdir()
        saml = stack.enter_context(saml_idp.running(saml_dir, base_url))
        oidc = stack.enter_context(oidc_provider.running(*OIDC_CLIENT, [f"{base_url}/oidc/callback/"]))
        _PROVIDERS.update(saml=saml["base"], oidc=oidc)
        env.update(
            KRAVSPAR_BASE_URL=base_url,
            KRAVSPAR_WEBAUTHN_ORIGIN=f"http://localhost:{port}",
            **saml["environment"],
            **oidc_provider.relying_party_environment(oidc, *OIDC_CLIENT),
        )
        _SERVER_ENV.clear()
        _SERVER_ENV.update(env)
        log_path = Path(var_dir) / "runserver.log"
        with log_path.open("w+", encoding="utf-8") as log:
            server = subprocess.Popen(
                [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                deadline = time.monotonic() + STARTUP_SECONDS
                while not _healthy(f"{base_url}/healthz"):
                    if server.poll() is not None or time.monotonic() > deadline:
                        log.flush()
                        output = log_path.read_text(encoding="utf-8", errors="replace")
                        state = (
                            f"exited with {server.returncode}"
                            if server.poll() is not None
                            else f"did not answer /healthz with 200 within {STARTUP_SECONDS} s"
                        )
                        pytest.fail(f"The app server {state}. Its output:\n{output}", pytrace=False)
                    time.sleep(0.2)
                yield base_url
            finally:
                server.terminate()
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole session (Debian's, not Playwright's download)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}. The browser tests need it: run `make system-deps` "
            "(or `apt-get install chromium`).",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser: Browser, live_app: str) -> Iterator[Callable[[], Page]]:
    """new_page() -> a page in a fresh browser context (own cookies), asking for Swedish."""
    contexts: list[BrowserContext] = []

    def make() -> Page:
        context = browser.new_context(base_url=live_app, locale="sv-SE")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
