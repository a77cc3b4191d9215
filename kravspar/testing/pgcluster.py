"""A throw-away PostgreSQL cluster of its own, as ``scripts/with_postgres.py`` makes one, for a
test that stops and starts the whole server (the fault test of issue 18): stopping the
cluster a test run shares would cut every other test's database too.

    with throwaway_cluster() as cluster:    # initdb, start; deleted afterwards
        cluster.url                         # postgres://kravspar@127.0.0.1:<port>/kravspar
        cluster.stop()                      # pg_ctl stop -m immediate: as if the server died
        cluster.start()                     # the same data directory and port again

It listens only on 127.0.0.1, without fsync (it is thrown away) but with synchronous commit, so
that what was committed survives an immediate stop. As root the server runs as
the ``postgres`` user (initdb refuses root), as in ``scripts/with_postgres.py``.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field


def pg_bin() -> str | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    bindir: str
    root: str
    port: int
    as_user: list[str] = field(default_factory=list)

    @property
    def data(self) -> str:
        return os.path.join(self.root, "data")

    @property
    def url(self) -> str:
        return f"postgres://kravspar@127.0.0.1:{self.port}/kravspar"

    def run(self, *args: str) -> None:
        subprocess.run(  # noqa: S603 - the server programs with fixed arguments
            [*self.as_user, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
            # Without fsync (the host does not crash, only the server's processes stop), but
            # with synchronous commit: a commit is in the write-ahead log before it returns,
            # so a committed invoice survives ``stop("immediate")`` as on a real server.
            " -c fsync=off -c synchronous_commit=on -c full_page_writes=off"
        )
        log = os.path.join(self.root, "log")
        self.run(f"{self.bindir}/pg_ctl", "-D", self.data, "-o", options, "-l", log, "-w", "start")

    def stop(self, mode: str = "immediate") -> None:
        """``immediate``: every server process quits at once, no checkpoint, as in a crash;
        the next start recovers from the write-ahead log."""
        self.run(f"{self.bindir}/pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")

    @property
    def running(self) -> bool:
        return os.path.exists(os.path.join(self.data, "postmaster.pid"))


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    bindir = pg_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL server programs not found: apt-get install postgresql (make test does this).")
    root = tempfile.mkdtemp(prefix="kravspar-pgcluster-")
    as_user: list[str] = []
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(root, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    cluster = Cluster(bindir, root, _free_port(), as_user)
    try:
        cluster.run(
            f"{bindir}/initdb", "-D", cluster.data, "-U", "kravspar", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"
        )
        cluster.start()
        cluster.run(f"{bindir}/createdb", "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "kravspar", "kravspar")
        yield cluster
    finally:
        if cluster.running:
            with contextlib.suppress(subprocess.CalledProcessError):
                cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
