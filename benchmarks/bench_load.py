"""Load benchmark of the web app on loopback: saturation throughput, latency at an open-loop
arrival rate, /healthz during the flood, rate limiting of one abusive client, and the refusal of
a 50 MB body — one process against N worker processes sharing a `chroma run` server.

    python benchmarks/bench_load.py [--workers 2] [--rate 15] [--seconds 30] [--json out.json]
    python benchmarks/bench_load.py --short   # the CI form (tests/test_bench_load.py): a few seconds each

Method (every request goes to 127.0.0.1 only, every loop is bounded in count and time):
- servers: ``python -m assistant serve`` with 1 worker and with ``--workers`` workers, both on the
  same `chroma run` server (started here in a temp dir and indexed once, unless ``--chroma-port``
  names one that holds the index under ``--prefix``); ``--embedded PATH`` adds a single process on
  an embedded index. Extractive answers (the default), question log in SQLite, rate limits on,
  ``client_ip_header=x-forwarded-for`` so that each simulated visitor is its own client; the
  workers share their rate-limit counters in a Redis started here (Debian's redis-server; without
  it each worker counts on its own).
- questions: those of eval/questions.jsonl, in turn; each request comes from another visitor
  address (198.18.0.0/15, the benchmarking range), so only the abusive client meets a limit.
- saturation: ``--clients`` closed-loop clients asking back to back for ``--seconds``; answers/s.
- open loop: Poisson arrivals at ``--rate`` asks/s for ``--seconds`` (latency from the scheduled
  send time, so a slow server cannot hide queueing); p50/p95/p99; at the same time /healthz is
  probed 20 times a second and one abusive client sends 10 asks/s from one address (its 429s are
  the intended ones and are counted apart).
- errors: any answer other than 200, except the abusive client's 429s.
- body: a request declaring 50 MB (64 KiB of it sent); time to the 413, and the server's RSS
  before and after ten of them.
Targets (issue 10): saturation with 2 workers ≥ 1.7× one process; p95 < 300 ms at 15 asks/s;
0 errors; /healthz p99 < 100 ms during the flood; 50 MB refused in < 100 ms without RSS growth.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def questions() -> list[str]:
    out = []
    for line in (ROOT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            out.append(json.loads(line)["question"])
    return out


def visitor(n: int) -> str:
    return f"198.18.{(n // 250) % 250}.{n % 250 + 1}"


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


# ---------------------------------------------------------------------------------------------
# servers
# ---------------------------------------------------------------------------------------------


def start_chroma(tmp: Path) -> tuple[subprocess.Popen, int]:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    port = free_port()
    exe = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen([str(exe if exe.exists() else shutil.which("chroma")), "run", "--path", str(tmp / "chroma"),
                             "--host", "127.0.0.1", "--port", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
    deadline = time.monotonic() + 60
    while True:
        try:
            chromadb.HttpClient(host="127.0.0.1", port=port, settings=ChromaSettings(anonymized_telemetry=False)).heartbeat()
            return proc, port
        except Exception:  # noqa: BLE001 - not up yet
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("chroma run did not start")
            time.sleep(0.3)


def start_redis() -> tuple[subprocess.Popen | None, str | None]:
    exe = shutil.which("redis-server")
    if not exe:
        return None, None
    port = free_port()
    proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, f"redis://127.0.0.1:{port}/0"
        time.sleep(0.1)
    proc.kill()
    return None, None


def index_into(port: int, prefix: str) -> None:
    env = {**os.environ, "QSL_STORE__CHROMA_HOST": "127.0.0.1", "QSL_STORE__CHROMA_PORT": str(port),
           "QSL_STORE__COLLECTION_PREFIX": prefix}
    subprocess.run([sys.executable, "-m", "assistant", "index"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=1800)


class App:
    def __init__(self, tmp: Path, env: dict[str, str], workers: int):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        data = tmp / f"data-{self.port}"
        environ = {k: v for k, v in os.environ.items() if not k.startswith("QSL_")}
        environ.update({
            "QSL_WEB__PORT": str(self.port), "QSL_WEB__DATA_DIR": str(data), "QSL_SERVE__WORKERS": str(workers),
            "QSL_SECURITY__CLIENT_IP_HEADER": "x-forwarded-for", "ANONYMIZED_TELEMETRY": "False",
            "QSL_OBSERVABILITY__JSON_LOGS": "true", **env,
        })
        self.log = open(tmp / f"app-{self.port}.log", "wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "assistant", "serve"], cwd=ROOT, env=environ,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the app exited with {self.proc.returncode}; see {self.log.name}")
            try:
                if httpx.get(self.base + "/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError("the app did not become ready")

    def rss_kib(self) -> int:
        """RSS of the server and its worker processes."""
        pids = [self.proc.pid] + [int(p) for p in subprocess.run(
            ["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout.split()]
        total = 0
        for pid in pids:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except FileNotFoundError:
                pass
        return total

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


# ---------------------------------------------------------------------------------------------
# load
# ---------------------------------------------------------------------------------------------


class Counter:
    def __init__(self):
        self.n = 0

    def next(self) -> int:
        self.n += 1
        return self.n


async def ask(client: httpx.AsyncClient, base: str, q: str, ip: str) -> tuple[int, float]:
    t0 = time.perf_counter()
    try:
        r = await client.post(base + "/api/v1/ask", json={"question": q}, headers={"X-Forwarded-For": ip})
        return r.status_code, time.perf_counter() - t0
    except httpx.HTTPError:
        return 0, time.perf_counter() - t0


async def saturation(base: str, qs: list[str], clients: int, seconds: float) -> dict:
    ids = Counter()
    done: list[int] = []
    deadline = time.monotonic() + seconds

    async def loop(client):
        while time.monotonic() < deadline:
            n = ids.next()
            status, _ = await ask(client, base, qs[n % len(qs)], visitor(n))
            done.append(status)

    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=clients)) as client:
        t0 = time.monotonic()
        await asyncio.gather(*(loop(client) for _ in range(clients)))
        wall = time.monotonic() - t0
    ok = sum(1 for s in done if s == 200)
    return {"clients": clients, "seconds": round(wall, 1), "answers": ok, "answers_per_s": round(ok / wall, 2),
            "errors": len(done) - ok}


async def open_loop(base: str, qs: list[str], rate: float, seconds: float, abuse_rate: float = 10.0) -> dict:
    rnd = random.Random(7)
    latencies: list[float] = []
    statuses: list[int] = []
    health: list[float] = []
    health_bad = 0
    abuse: list[int] = []
    ids = Counter()
    start = time.perf_counter()
    end = start + seconds

    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=400)) as client, \
            httpx.AsyncClient(timeout=10) as prober:

        async def one(scheduled: float, n: int):
            status, _ = await ask(client, base, qs[n % len(qs)], visitor(n))
            statuses.append(status)
            latencies.append(time.perf_counter() - scheduled)  # from when it was due: queueing counts

        async def arrivals():
            tasks, t = [], start
            while True:
                t += rnd.expovariate(rate)
                if t >= end:
                    break
                await asyncio.sleep(max(0.0, t - time.perf_counter()))
                tasks.append(asyncio.create_task(one(t, ids.next())))
            await asyncio.gather(*tasks)

        async def probe():
            nonlocal health_bad
            while time.perf_counter() < end:
                t0 = time.perf_counter()
                try:
                    r = await prober.get(base + "/healthz")
                    health_bad += r.status_code != 200
                except httpx.HTTPError:
                    health_bad += 1
                health.append(time.perf_counter() - t0)
                await asyncio.sleep(0.05)

        async def abuser():
            tasks = []
            while time.perf_counter() < end:
                tasks.append(asyncio.create_task(ask(client, base, "建设期多久？", "198.19.255.254")))
                await asyncio.sleep(1 / abuse_rate)
            abuse.extend(s for s, _ in await asyncio.gather(*tasks))

        await asyncio.gather(arrivals(), probe(), abuser())
    ms = [x * 1000 for x in latencies]
    hms = [x * 1000 for x in health]
    return {
        "rate": rate, "seconds": seconds, "asks": len(statuses), "ok": statuses.count(200),
        "errors": len(statuses) - statuses.count(200),
        "p50_ms": round(pct(ms, 50) or 0, 1), "p95_ms": round(pct(ms, 95) or 0, 1), "p99_ms": round(pct(ms, 99) or 0, 1),
        "healthz": {"probes": len(hms), "p50_ms": round(pct(hms, 50) or 0, 1), "p99_ms": round(pct(hms, 99) or 0, 1),
                    "max_ms": round(max(hms) if hms else 0, 1), "errors": health_bad},
        "abusive_client": {"asks": len(abuse), "ok": abuse.count(200), "429": abuse.count(429),
                           "other": len(abuse) - abuse.count(200) - abuse.count(429)},
    }


def big_body(app: App, times: int = 10) -> dict:
    before = app.rss_kib()
    took = []
    declared = 50 * 1024 * 1024
    for _ in range(times):
        with socket.create_connection(("127.0.0.1", app.port), timeout=30) as sock:
            t0 = time.perf_counter()
            sock.sendall((f"POST /api/v1/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                          f"Content-Length: {declared}\r\n\r\n").encode() + b"x" * 65536)
            head = sock.recv(65536)
            took.append((time.perf_counter() - t0) * 1000)
            assert head.startswith(b"HTTP/1.1 413"), head[:100]
    return {"declared_mb": 50, "refusals": times, "max_ms": round(max(took), 2), "p50_ms": round(statistics.median(took), 2),
            "rss_before_mib": round(before / 1024, 1), "rss_after_mib": round(app.rss_kib() / 1024, 1)}


def measure(name: str, app: App, args, qs: list[str]) -> dict:
    for q in qs[:8]:  # warm-up
        httpx.post(app.base + "/api/v1/ask", json={"question": q}, headers={"X-Forwarded-For": visitor(99999)},
                   timeout=60)
    out = {"name": name, "saturation": asyncio.run(saturation(app.base, qs, args.clients, args.seconds))}
    out["open_loop"] = asyncio.run(open_loop(app.base, qs, args.rate, args.seconds))
    out["big_body"] = big_body(app)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rate", type=float, default=15.0, help="open-loop arrival rate (asks/s)")
    ap.add_argument("--clients", type=int, default=16, help="closed-loop clients for saturation")
    ap.add_argument("--seconds", type=float, default=30.0, help="length of each phase")
    ap.add_argument("--chroma-port", type=int, help="use this running Chroma server (holding the index under --prefix)")
    ap.add_argument("--prefix", default="qsl")
    ap.add_argument("--embedded", type=Path, help="also measure one process on this embedded index directory")
    ap.add_argument("--short", action="store_true", help="the CI form: 3 s phases, 4 clients, 5 asks/s")
    ap.add_argument("--json", type=Path, help="write the results here")
    args = ap.parse_args()
    if args.short:
        args.seconds, args.clients, args.rate = 3.0, 4, 5.0
    qs = questions()
    tmp = Path(tempfile.mkdtemp(prefix="qsl-bench-"))
    chroma = redis = None
    results: dict = {"machine": {"cores": os.cpu_count(), "load_before": os.getloadavg()[0]}, "args": {
        k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}, "runs": []}
    try:
        port = args.chroma_port
        if port is None:
            chroma, port = start_chroma(tmp)
            index_into(port, args.prefix)
        server = {"QSL_STORE__CHROMA_HOST": "127.0.0.1", "QSL_STORE__CHROMA_PORT": str(port),
                  "QSL_STORE__COLLECTION_PREFIX": args.prefix}
        redis, redis_url = start_redis()
        shared = {**server, "QSL_RATE_LIMITS__STORAGE_URL": redis_url} if redis_url else server
        configs = [("1 process, Chroma server", server, 1), (f"{args.workers} workers, Chroma server", shared, args.workers)]
        if args.embedded:
            configs.insert(0, ("1 process, embedded Chroma", {"QSL_STORE__PATH": str(args.embedded)}, 1))
        for name, env, workers in configs:
            app = App(tmp, env, workers)
            try:
                results["runs"].append(measure(name, app, args, qs))
            finally:
                app.stop()
            print(json.dumps(results["runs"][-1], ensure_ascii=False), flush=True)
        one = next(r for r in results["runs"] if r["name"] == "1 process, Chroma server")
        many = results["runs"][-1]
        results["speedup"] = round(many["saturation"]["answers_per_s"] / max(one["saturation"]["answers_per_s"], 1e-9), 2)
        results["machine"]["load_after"] = os.getloadavg()[0]
    finally:
        for proc in (chroma, redis):
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps({"speedup": results["speedup"], "machine": results["machine"]}, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
