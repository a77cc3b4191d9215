"""Real server processes on loopback for tests and benchmarks: an S3-compatible server
(moto's server mode), gunicorn app servers and django-tasks workers, each on a free port,
each stopped however the test ends. Used by the shared-storage, several-app-servers and
worker tests, by ``bench/load.py`` and by the soak and fault tests.

    with s3_server() as s3:                      # s3.endpoint, s3.bucket, s3.env()
        env = app_env(database_url, s3)          # what an app server or worker needs
        with gunicorn(env) as a, gunicorn(env) as b, worker(env):
            requests to a.url / b.url ...

``database_url`` must name a database that the processes can reach: PostgreSQL (the test
database of a pytest run is ``shared_database_url()``), or an SQLite *file*.
Every process gets ``KRAVSPAR_VAR_DIR`` and the settings through its environment only;
output goes to a log file that ``Proc.log()`` returns for failure messages.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Proc:
    process: subprocess.Popen[bytes]
    log_path: Path
    url: str = ""
    stop_signal: int = signal.SIGTERM

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self, timeout: float = 10) -> None:
        if self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, self.stop_signal)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)


def start(args: list[str], env: dict[str, str], name: str, log_dir: Path | None = None) -> Proc:
    """Start ``args`` in its own process group (so stopping it stops its children too)."""
    folder = log_dir or Path(tempfile.mkdtemp(prefix="kravspar-proc-"))
    log_path = folder / f"{name}-{time.monotonic_ns()}.log"
    handle = log_path.open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
        args, env=env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
    )
    handle.close()
    return Proc(process, log_path)


def wait_for_http(proc: Proc, url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.process.poll() is not None:
            raise RuntimeError(f"{url}: the process ended with {proc.process.returncode}:\n{proc.log()}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback only
                return
        except urllib.error.HTTPError:
            return  # it answers, whatever it says
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    proc.stop()
    raise RuntimeError(f"{url} did not answer within {timeout} s:\n{proc.log()}")


@dataclass
class S3:
    endpoint: str
    bucket: str
    proc: Proc

    def env(self) -> dict[str, str]:
        """The settings that put Kravspår's files in this server's bucket."""
        return {
            "KRAVSPAR_S3_BUCKET": self.bucket,
            "KRAVSPAR_S3_ENDPOINT_URL": self.endpoint,
            "KRAVSPAR_S3_REGION": "eu-north-1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        }

    def storage_options(self) -> dict[str, object]:
        """STORAGES["default"] for a test's ``settings`` fixture."""
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": self.bucket,
                "endpoint_url": self.endpoint,
                "region_name": "eu-north-1",
                "access_key": "testing",
                "secret_key": "testing",
                "default_acl": None,
                "file_overwrite": False,
            },
        }

    def client(self) -> object:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="eu-north-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106
        )

    def object_keys(self) -> list[str]:
        answer = self.client().list_objects_v2(Bucket=self.bucket)  # type: ignore[attr-defined]
        return [item["Key"] for item in answer.get("Contents", [])]


@contextlib.contextmanager
def s3_server(bucket: str = "kravspar-test") -> Iterator[S3]:
    """moto's S3 server on a free loopback port with one empty bucket."""
    port = free_port()
    env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")  # noqa: S106
    proc = start([str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)], env, "moto")
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(proc, endpoint + "/moto-api/", timeout=30)
        s3 = S3(endpoint, bucket, proc)
        s3.client().create_bucket(  # type: ignore[attr-defined]
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-north-1"}
        )
        yield s3
    finally:
        proc.stop()


def shared_database_url() -> str:
    """The database URL of the current test database (call inside a ``transactional_db``
    test): PostgreSQL only; an in-memory SQLite test database is out of other processes' reach."""
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor != "postgresql":
        raise RuntimeError("other processes cannot reach an in-memory SQLite test database")
    return f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def app_env(database_url: str, s3: S3 | None = None, **extra: str) -> dict[str, str]:
    """The environment of an app server or worker: production settings on plain HTTP."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KRAVSPAR_", "DATABASE_", "DJANGO_", "PYTEST"))}
    env.update(
        DJANGO_SECRET_KEY="insecure-key-for-tests-only",  # noqa: S106 - every server the same key
        DJANGO_SETTINGS_MODULE="kravspar.settings",
        DATABASE_URL=database_url,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        KRAVSPAR_HTTPS="0",
        KRAVSPAR_SSL_REDIRECT="0",
        KRAVSPAR_VAR_DIR=tempfile.mkdtemp(prefix="kravspar-var-"),
        KRAVSPAR_LOG_LEVEL="WARNING",
    )
    if s3 is not None:
        env.update(s3.env())
    env.update(extra)
    return env


def start_gunicorn(env: dict[str, str], *, workers: int = 2, threads: int = 1) -> Proc:
    """Start a gunicorn app server on a free loopback port (``proc.url``) without waiting."""
    port = free_port()
    args = [str(BIN / "gunicorn"), "kravspar.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    args += ["--workers", str(workers), "--threads", str(threads), "--timeout", "60"]
    proc = start(args, env, "gunicorn")
    proc.url = f"http://127.0.0.1:{port}"
    proc.stop_signal = signal.SIGINT  # gunicorn's quick shutdown
    return proc


@contextlib.contextmanager
def gunicorns(env: dict[str, str], count: int = 1, *, timeout: float = 60, **options: int) -> Iterator[list[Proc]]:
    """``count`` app servers started side by side, each answering /healthz before this yields."""
    procs = [start_gunicorn(env, **options) for _ in range(count)]
    try:
        for proc in procs:
            wait_for_http(proc, proc.url + "/healthz", timeout=timeout)
        yield procs
    finally:
        for proc in procs:
            proc.stop()


@contextlib.contextmanager
def gunicorn(env: dict[str, str], *, timeout: float = 60, **options: int) -> Iterator[Proc]:
    """One gunicorn app server; ``proc.url`` is its address."""
    with gunicorns(env, 1, timeout=timeout, **options) as procs:
        yield procs[0]


@contextlib.contextmanager
def worker(env: dict[str, str], *extra_args: str) -> Iterator[Proc]:
    """``manage.py jobs_worker`` (db_worker that recovers jobs of dead workers) polling
    every 0.2 s (without the start-up delay)."""
    args = [PYTHON, "manage.py", "jobs_worker", "--no-reload", "--interval", "0.2", "--no-startup-delay", *extra_args]
    proc = start(args, env, "worker")
    try:
        yield proc
    finally:
        proc.stop()
