"""Real servers for the tests, started on free loopback ports: `chroma run`, PostgreSQL, Redis
and the app itself (``python -m assistant serve``). The session fixtures of conftest.py wrap
them; tests that stop and restart a server, or start app processes, use these directly
(``from servers import …``, like ``fake_llm``: conftest.py is not importable by name, since
tests/browser has one too).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_chroma(path: Path, port: int, log_path: Path) -> subprocess.Popen:
    """`chroma run` on 127.0.0.1:``port`` with its data in ``path``, once its heartbeat answers."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    exe = Path(sys.executable).parent / "chroma"
    if not exe.exists():
        exe = shutil.which("chroma")
    assert exe, "the `chroma` executable is not installed in the venv"
    log = open(log_path, "ab")
    proc = subprocess.Popen(
        [str(exe), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    log.close()
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"chroma run exited with {proc.returncode}; see {log_path}")
        try:
            chromadb.HttpClient(host="127.0.0.1", port=port, settings=ChromaSettings(anonymized_telemetry=False)).heartbeat()
            return proc
        except Exception:  # noqa: BLE001 - not listening yet
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"chroma run did not answer its heartbeat in 60 s; see {log_path}")
            time.sleep(0.3)


def stop_process(proc: subprocess.Popen, timeout: float = 15) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wait_port(port: int, up: bool, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            s.settimeout(0.5)
            listening = s.connect_ex(("127.0.0.1", port)) == 0
        if listening == up:
            return
        time.sleep(0.1)
    raise RuntimeError(f"port {port} still {'closed' if up else 'open'} after {timeout} s")


def pg_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    assert found, f"PostgreSQL's {name} is missing: scripts/test.sh installs Debian's postgresql"
    return str(found[-1])


@dataclass
class PostgresServer:
    """A PostgreSQL server of its own (initdb in a temp dir), run as the ``postgres`` user when
    the tests run as root (the server refuses root)."""

    data: Path
    port: int
    run_as: str | None
    process: subprocess.Popen | None = None

    @property
    def dsn(self) -> str:
        return f"postgresql://qsl@127.0.0.1:{self.port}/qsl"

    def _popen(self, args: list[str], **kw) -> subprocess.Popen:
        return subprocess.Popen(args, user=self.run_as, **kw)

    def start(self) -> None:
        log = open(self.data.parent / "postgres.log", "ab")
        self.process = self._popen(
            [pg_bin("postgres"), "-D", str(self.data), "-p", str(self.port), "-h", "127.0.0.1",
             "-k", str(self.data.parent), "-c", "fsync=off", "-c", "max_connections=100"],
            stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 60
        while subprocess.run([pg_bin("pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                             capture_output=True).returncode != 0:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"postgres did not start; see {self.data.parent / 'postgres.log'}")
            time.sleep(0.2)

    def stop(self) -> None:
        """Gone at once, like a crashed or unplugged database (SIGQUIT: immediate shutdown)."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(3)
            self.process.wait(timeout=30)
        wait_port(self.port, up=False)

    def truncate(self) -> None:
        import psycopg

        with psycopg.connect(self.dsn) as db:
            db.execute("DROP TABLE IF EXISTS feedback, questions")


@dataclass
class RedisServer:
    data: Path
    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        exe = shutil.which("redis-server")
        assert exe, "redis-server is missing: scripts/test.sh installs Debian's redis-server"
        self.process = subprocess.Popen(
            [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.data)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port, up=True)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        wait_port(self.port, up=False)

    def flush(self) -> None:
        import redis

        redis.Redis.from_url(self.url).flushall()




@dataclass
class Server:
    process: subprocess.Popen
    base: str
    port: int
    log: Path

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def log_lines(self) -> list[dict]:
        out = []
        for line in self.log.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                pass
        return out


def start_server(index_path: Path, tmp: Path, **env: str) -> Server:
    port = free_port()
    log = tmp / f"server-{port}.log"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("QSL_")}
    environ.update({"QSL_STORE__PATH": str(index_path), "QSL_WEB__PORT": str(port), "QSL_WEB__DATA_DIR": str(tmp / f"data-{port}"),
                    "QSL_RATE_LIMITS__ENABLED": "false", "ANONYMIZED_TELEMETRY": "False", **env})
    with open(log, "wb") as out:
        # its own process group: stopping it stops its worker processes too
        proc = subprocess.Popen([sys.executable, "-m", "assistant", "serve"], cwd=ROOT, env=environ,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                return Server(proc, base, port, log)
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    _kill_group(proc)
    raise RuntimeError(f"the server did not become ready in 120 s:\n{log.read_text()[-3000:]}")


def _kill_group(proc: subprocess.Popen) -> None:
    import signal

    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            _kill_group(server.process)
