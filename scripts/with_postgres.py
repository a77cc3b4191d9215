#!/usr/bin/env python3
"""Run a command against a throw-away PostgreSQL cluster on a free local port.

    python scripts/with_postgres.py pytest -q

The cluster lives in a temporary folder, listens only on 127.0.0.1, runs without
fsync (it is thrown away), and is stopped and deleted afterwards, however the
command ends. initdb refuses to run as root, so as root the cluster runs as the
unprivileged `postgres` user that the Debian package creates.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile


def pg_bin() -> str:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    if not candidates:
        sys.exit("PostgreSQL server programs not found: apt-get install postgresql (make test does this).")
    return candidates[-1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _terminated(signum: int, _frame: object) -> None:
    # SIGTERM (make test stopping this run in the background): leave through the
    # `finally` below, so the cluster (pg_ctl detaches it from this process group) stops.
    raise SystemExit(128 + signum)


def main() -> int:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    signal.signal(signal.SIGTERM, _terminated)
    bindir = pg_bin()
    port = free_port()
    root = tempfile.mkdtemp(prefix="kravspar-pg-")
    data = os.path.join(root, "data")
    as_user: list[str] = []
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(root, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]

    def pg(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, stdout=subprocess.DEVNULL)

    try:
        pg(f"{bindir}/initdb", "-D", data, "-U", "kravspar", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        options = (
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        pg(f"{bindir}/pg_ctl", "-D", data, "-o", options, "-l", os.path.join(root, "log"), "-w", "start")
        pg(f"{bindir}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "kravspar", "kravspar")
        env = dict(os.environ, DATABASE_URL=f"postgres://kravspar@127.0.0.1:{port}/kravspar")
        print(f"PostgreSQL test cluster on 127.0.0.1:{port}", flush=True)
        return subprocess.run(sys.argv[1:], env=env, check=False).returncode
    finally:
        if os.path.exists(os.path.join(data, "postmaster.pid")):
            subprocess.run(
                [*as_user, f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"],
                check=False,
                stdout=subprocess.DEVNULL,
            )
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
