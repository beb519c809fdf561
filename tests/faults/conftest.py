"""A throwaway PostgreSQL cluster the fault tests may stop, start and break; never the one at 5432."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

POSTGRES_BIN_GLOB = "/usr/lib/postgresql/*/bin"


def _postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's bin directory holding initdb and pg_ctl."""
    found = [
        d
        for d in Path("/").glob(POSTGRES_BIN_GLOB.lstrip("/"))
        if (d / "initdb").is_file() and (d / "pg_ctl").is_file()
    ]
    return max(found, key=lambda d: int(d.parent.name)) if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Cluster:
    """A PostgreSQL cluster in a temp directory, on its own port, with trust auth for postgres."""

    bin: Path
    root: Path
    port: int
    as_postgres: list[str]

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of a database in this cluster."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.as_postgres, str(self.bin / "pg_ctl"), "-D", str(self.data), *args],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
            " -c fsync=off -c full_page_writes=off"
        )
        self._pg_ctl("-o", options, "-l", str(self.root / "server.log"), "-w", "start")

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server; immediate is a crash as far as clients can tell."""
        self._pg_ctl("-m", mode, "-w", "stop")

    def running(self) -> bool:
        """True while the server's postmaster runs."""
        done = subprocess.run(
            [*self.as_postgres, str(self.bin / "pg_ctl"), "-D", str(self.data), "status"],
            capture_output=True,
        )
        return done.returncode == 0

    def create_database(self) -> str:
        """A new empty database; returns its URL."""
        import psycopg

        name = f"faults_{secrets.token_hex(4)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """A cluster initdb'd for this session; stopped and deleted in the finalizer, whatever happens."""
    bin_dir = _postgres_bin()
    if bin_dir is None:
        message = (
            f"no initdb/pg_ctl under {POSTGRES_BIN_GLOB}: apt-get install -y postgresql, then "
            "pytest tests/faults"
        )
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI is set, so the fault tests must run", pytrace=False)
        pytest.skip(message)
    as_postgres: list[str] = []
    # PostgreSQL refuses to run as root; the directory must belong to whoever runs it.
    root = Path(tempfile.mkdtemp(prefix="bot-faults-"))
    if os.geteuid() == 0:
        as_postgres = ["runuser", "-u", "postgres", "--"]
        shutil.chown(root, "postgres", "postgres")
    cluster = Cluster(bin_dir, root, _free_port(), as_postgres)
    try:
        subprocess.run(
            [
                *as_postgres,
                str(bin_dir / "initdb"),
                "-D",
                str(cluster.data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        for attempt in range(3):
            try:
                cluster.start()
                break
            except subprocess.CalledProcessError:
                if attempt == 2:
                    raise
                cluster.port = _free_port()  # someone took the port between choosing and binding
        yield cluster
    finally:
        if cluster.running():
            cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
