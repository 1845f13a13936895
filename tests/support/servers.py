"""Real PostgreSQL and Redis servers for tests: Debian's packages, on 127.0.0.1, free ports, temp dirs.

``make test-postgres`` installs them (``apt-get install postgresql redis-server``); nothing here
downloads anything. PostgreSQL refuses to run as root, so as root its commands run as the
``postgres`` user the Debian package creates.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

from tests.support.processes import answering, free_port, stop_process

POSTGRES_BINS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
INSTALL_HINT = "apt-get install -y postgresql redis-server (make test-postgres does it)"


def postgres_missing() -> str | None:
    """Why PostgreSQL servers cannot be started here, or None."""
    if not POSTGRES_BINS or not (POSTGRES_BINS[-1] / "initdb").exists():
        return f"Debian's PostgreSQL is not installed: {INSTALL_HINT}"
    return None


def redis_missing() -> str | None:
    if not Path(REDIS_SERVER).exists():
        return f"Debian's redis-server is not installed: {INSTALL_HINT}"
    return None


class PostgresServer:
    """One throw-away cluster; ``stop()`` and ``start()`` again play an outage on the same port."""

    USER = "siloscope"

    def __init__(self, base: Path) -> None:
        self.bin = POSTGRES_BINS[-1]
        self.base = base
        self.data = base / "data"
        self.sockets = base / "sockets"
        self.log = base / "postgres.log"
        self.port = free_port()
        base.mkdir(parents=True, exist_ok=True)
        self.sockets.mkdir(exist_ok=True)
        self._as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as_owner:
            shutil.chown(base, "postgres")
            shutil.chown(self.sockets, "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", self.USER, "-E", "UTF8", "--no-sync")
        self.start()

    def _run(self, tool: str, *args: str) -> None:
        done = subprocess.run(
            [*self._as_owner, str(self.bin / tool), *args], capture_output=True, text=True, timeout=120, check=False
        )
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{tool} failed: {done.stdout}{done.stderr}{log}")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        """``fast`` ends sessions cleanly; ``immediate`` is a crash (recovery at the next start)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.USER}@127.0.0.1:{self.port}/{database}?connect_timeout=3"

    def create_database(self, prefix: str = "t") -> str:
        """A new empty database; returns its URL (``siloscope migrate`` gives it the schema)."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        self._administer(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1].split("?")[0]
        self._administer(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _administer(self, statement: str) -> None:
        """One statement outside a transaction (CREATE/DROP DATABASE cannot run inside one)."""
        import psycopg2

        connection = psycopg2.connect(self.url())
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(statement)
        finally:
            connection.close()

    def close(self) -> None:
        if self.running():
            self.stop("immediate")


class RedisServer:
    """``redis-server`` without persistence on a free loopback port."""

    def __init__(self, base: Path) -> None:
        base.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.log = (base / "redis.log").open("wb")
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(base), "--protected-mode", "yes"],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1)
        if not answering(self.process, lambda: bool(client.ping()), redis.RedisError, seconds=30):
            self.close()
            raise RuntimeError(f"redis-server did not start: {(base / 'redis.log').read_text(errors='replace')}")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def close(self) -> None:
        stop_process(self.process)
        self.log.close()
