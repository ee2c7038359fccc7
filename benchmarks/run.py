"""Read and write paths against the raw-SQL floor, on PostgreSQL, with wrk.

    .venv/bin/python benchmarks/run.py                 # 100,000 articles, 10 s per workload
    .venv/bin/python benchmarks/run.py --rows 1000000  # how cost grows
    .venv/bin/python benchmarks/run.py --quick         # 10,000 articles, 3 s: a smoke run

Needs PostgreSQL (BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432) and `wrk`
(Debian package). Loads the data set through the project's own commands and API plus SQL, starts
the server under gunicorn as bin/serve does and the floor app (benchmarks/floor.py), drives both
alternately, two rounds each, and prints one table; the JSON goes to benchmarks/results/."""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
RESULTS = ROOT / "benchmarks" / "results"
ADMIN_TOKEN = "bench-admin-token"
READER_TOKEN = "bench-reader-token"

WORKLOADS = {
    "W1": {"method": "GET", "path": "/_/items/articles/{id}"},
    "W2": {
        "method": "GET",
        "path": "/_/items/articles?fields=id,title,status,published_on&filter[status][eq]=published"
        "&sort=-published_on&limit=100",
    },
    "W3": {"method": "GET", "path": "/_/items/articles?fields=*,author.*&limit=100"},
    "W4": {"method": "POST", "path": "/_/items/articles"},
}

LUA_RANDOM_ID = """
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function()
  return wrk.format("GET", "/_/items/articles/" .. math.random(1, %(rows)d), {["Authorization"] = "Bearer %(token)s"})
end
"""
LUA_PLAIN = """
local headers = {["Authorization"] = "Bearer %(token)s", ["Content-Type"] = "application/json"}
request = function()
  return wrk.format("%(method)s", "%(path)s", headers, %(body)s)
end
"""
WARM_UP_SECONDS = 2
SOAK_STEP_SECONDS = 5
POST_BODY = '{"title":"Benchmark","status":"draft","body":"x","author":1,"rating":3}'


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(args, env=None, **kwargs):
    return subprocess.run(args, check=True, env=env, cwd=ROOT, **kwargs)


def http(method: str, url: str, token: str, body=None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=60) as response:
        raw = response.read()
        return {"status": response.status, "body": json.loads(raw) if raw else None, "headers": dict(response.headers)}


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def sql(database_url: str, statements: list[str]) -> None:
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


def load(env: dict, base: str, database_url: str, rows: int) -> None:
    """Collections through the API (so their metadata is real), rows and indexes with SQL."""
    run([PYTHON, "manage.py", "migrate", "-v0"], env)
    run(
        [
            PYTHON,
            "manage.py",
            "createproject",
            "_",
            "--database-url",
            database_url,
            "--admin-email",
            "admin@example.com",
            "--admin-password",
            "bench-password",
            "--admin-token",
            ADMIN_TOKEN,
        ],
        env,
    )
    server = start_server(env, base, workers=1)
    try:
        identity = {"field": "id", "type": "integer", "datatype": "INT", "primary_key": True, "auto_increment": True}
        http(
            "POST",
            base + "/_/collections",
            ADMIN_TOKEN,
            {
                "collection": "authors",
                "fields": [
                    identity,
                    {"field": "name", "type": "string", "datatype": "VARCHAR", "length": 100},
                    {"field": "email", "type": "string", "datatype": "VARCHAR", "length": 100},
                ],
            },
        )
        http(
            "POST",
            base + "/_/collections",
            ADMIN_TOKEN,
            {
                "collection": "articles",
                "fields": [
                    identity,
                    {
                        "field": "status",
                        "type": "status",
                        "datatype": "VARCHAR",
                        "length": 20,
                        "default_value": "draft",
                        "options": {
                            "status_mapping": {
                                "published": {"name": "Published"},
                                "draft": {"name": "Draft"},
                                "archived": {"name": "Archived"},
                            }
                        },
                    },
                    {"field": "title", "type": "string", "datatype": "VARCHAR", "length": 200},
                    {"field": "body", "type": "string", "datatype": "TEXT"},
                    {"field": "author", "type": "m2o", "datatype": "INT"},
                    {"field": "published_on", "type": "datetime", "datatype": "DATETIME"},
                    {"field": "rating", "type": "integer", "datatype": "INT", "signed": True},
                ],
            },
        )
        http(
            "POST",
            base + "/_/relations",
            ADMIN_TOKEN,
            {"collection_many": "articles", "field_many": "author", "collection_one": "authors"},
        )
    finally:
        stop(server)
    sql(
        database_url,
        [
            "INSERT INTO authors (name, email) SELECT 'Author ' || g, 'author' || g || '@example.com' "
            "FROM generate_series(1, 1000) g",
            "INSERT INTO articles (status, title, body, author, published_on, rating) "
            "SELECT (ARRAY['published','published','published','published','published','published',"
            "'draft','draft','draft','archived'])[1 + g % 10], 'Article ' || g, repeat('lorem ipsum ', 85), "
            f"1 + g % 1000, timestamp '2020-01-01' + (g || ' minutes')::interval, g % 5 "
            f"FROM generate_series(1, {rows}) g",
            "CREATE INDEX articles_author ON articles (author)",
            "CREATE INDEX articles_status ON articles (status)",
            # NULLS LAST: the order the API sends with the `sort_null_last` setting on (the default).
            "CREATE INDEX articles_status_published ON articles (status, published_on DESC NULLS LAST)",
            # A reader role: read on both collections, `body` blacklisted, with a static token.
            "INSERT INTO directus_roles (name, enforce_2fa) VALUES ('Readers', false)",
            "INSERT INTO directus_users (status, role, email, token, timezone, email_notifications, theme) "
            f"SELECT 'active', id, 'reader@example.com', '{READER_TOKEN}', 'UTC', true, 'auto' "
            "FROM directus_roles WHERE name = 'Readers'",
            'INSERT INTO directus_permissions (collection, role, "create", "read", "update", "delete", '
            "comment, explain, read_field_blacklist) "
            "SELECT c, id, 'none', 'full', 'none', 'none', 'none', 'none', CASE WHEN c = 'articles' THEN 'body' END "
            "FROM directus_roles, (VALUES ('articles'), ('authors')) AS t(c) WHERE name = 'Readers'",
            "ANALYZE",
        ],
    )


def start_server(env: dict, base: str, workers: int):
    bind = base.removeprefix("http://")
    process = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "-c",
            "directus/gunicorn.conf.py",
            "--bind",
            bind,
            "--workers",
            str(workers),
        ],
        cwd=ROOT,
        # No access log, as the floor keeps none (gunicorn's default): formatting log lines is
        # gunicorn's work, not the app's, and would cost ~5 % of a read by id on one side only.
        env={**env, "GUNICORN_ACCESS_LOG": ""},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    wait_for(base + "/server/ping")
    return process


def start_floor(env: dict, base: str, workers: int):
    bind = base.removeprefix("http://")
    process = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "--bind", bind, "--workers", str(workers), "benchmarks.floor:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/_/items/articles/1", timeout=2).read()
            return process
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("floor did not start")


def stop(process) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def run_soak(server, base: str, args) -> dict:
    """About `args.soak` more requests (W1 and W3 alternating, 5 s each), with the largest
    worker's RSS read after every pair: it should stay within a band, not climb."""
    before = worker_rss_mib(server, field="VmRSS")
    done = 0
    samples = []
    while done < args.soak:
        for workload in ("W1", "W3"):
            measured = wrk(base, workload, ADMIN_TOKEN, args.rows, SOAK_STEP_SECONDS)
            done += int(measured["rps"] * SOAK_STEP_SECONDS)
        samples.append((done, worker_rss_mib(server, field="VmRSS")))
    after = samples[-1][1]
    half = len(samples) // 2 or 1
    first, second = [rss for _, rss in samples[:half]], [rss for _, rss in samples[half:]]
    trend = round(sum(second) / len(second) - sum(first) / len(first), 1)
    print(
        f"soak: ~{done} requests, largest worker RSS {before} -> {after} MiB "
        f"(range {min(rss for _, rss in samples)}-{max(rss for _, rss in samples)}, "
        f"second half minus first half {trend:+} MiB)",
        flush=True,
    )
    return {"requests": done, "rss_before_mib": before, "rss_after_mib": after, "samples": samples, "trend_mib": trend}


def worker_rss_mib(process, field: str = "VmHWM") -> float:
    """RSS of the largest worker of a gunicorn master: peak (VmHWM) or current (VmRSS)."""
    peak = 0
    for child in Path("/proc").iterdir():
        if not child.name.isdigit():
            continue
        try:
            status = (child / "status").read_text()
        except OSError:
            continue
        if f"PPid:\t{process.pid}\n" not in status:
            continue
        match = re.search(rf"{field}:\s+(\d+) kB", status)
        if match:
            peak = max(peak, int(match.group(1)))
    return round(peak / 1024, 1)


def wrk(base: str, workload: str, token: str, rows: int, seconds: int) -> dict:
    spec = WORKLOADS[workload]
    if workload == "W1":
        script = LUA_RANDOM_ID % {"rows": rows, "token": token}
    else:
        body = json.dumps(POST_BODY) if spec["method"] == "POST" else "nil"
        script = LUA_PLAIN % {"method": spec["method"], "path": spec["path"], "token": token, "body": body}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        output = subprocess.run(
            ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", "-s", handle.name, base],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        os.unlink(handle.name)
    return parse_wrk(output)


def parse_wrk(output: str) -> dict:
    def latency(label: str) -> float | None:
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", output, re.MULTILINE)
        if not match:
            return None
        value, unit = float(match.group(1)), match.group(2)
        return round(value / 1000 if unit == "us" else value * 1000 if unit == "s" else value, 2)

    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(rate.group(1)) if rate else 0.0,
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def statements(base: str, token: str, rows: int) -> dict:
    """SQL statements per request, from the server's own counter (X-Directus-Statements)."""
    counts = {}
    for name, spec in WORKLOADS.items():
        path = spec["path"].format(id=rows // 2)
        body = json.loads(POST_BODY) if spec["method"] == "POST" else None
        http(spec["method"], base + path, token, body)  # warm the worker
        response = http(spec["method"], base + path, token, body)
        counts[name] = int(response["headers"].get("X-Directus-Statements", -1))
    response = http("GET", base + WORKLOADS["W2"]["path"] + "&meta=total_count", token)
    counts["W2+total_count"] = int(response["headers"].get("X-Directus-Statements", -1))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the data directory and database")
    parser.add_argument(
        "--soak", type=int, default=0, metavar="N", help="after the rounds, about N more W1/W3 requests, then RSS again"
    )
    args = parser.parse_args()
    if args.quick:
        args.rows, args.seconds, args.rounds = 10_000, 3, 1
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")

    server_url = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    name = f"dx_bench_{os.getpid()}"
    database_url = f"{server_url}/{name}"
    data_dir = Path(tempfile.mkdtemp(prefix="directus-bench-"))
    workers = 2 * (os.cpu_count() or 1)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "directus.settings.dev",
        "DIRECTUS_DATA_DIR": str(data_dir),
        "PYTHONPATH": str(ROOT),
        "BENCH_DATABASE_URL": database_url,
    }
    server_base = f"http://127.0.0.1:{free_port()}"
    floor_base = f"http://127.0.0.1:{free_port()}"
    try:
        print(f"Loading {args.rows} articles into {name} ...", flush=True)
        load(env, server_base, database_url, args.rows)

        counting = start_server({**env, "DIRECTUS_COUNT_STATEMENTS": "1"}, server_base, workers=1)
        try:
            counts = statements(server_base, ADMIN_TOKEN, args.rows)
        finally:
            stop(counting)

        results: dict = {}
        server = start_server(env, server_base, workers)
        floor = start_floor(env, floor_base, workers)
        try:
            # Every worker builds its schema cache and compiles its statements on first use:
            # a short unrecorded run of each workload first, on both targets.
            for workload in WORKLOADS:
                for base in (server_base, floor_base):
                    wrk(base, workload, ADMIN_TOKEN, args.rows, WARM_UP_SECONDS)
            for workload in ("W1", "W3"):
                wrk(server_base, workload, READER_TOKEN, args.rows, WARM_UP_SECONDS)
            for round_number in range(args.rounds):
                for workload in WORKLOADS:
                    for target, base in (("server", server_base), ("floor", floor_base)):
                        measured = wrk(base, workload, ADMIN_TOKEN, args.rows, args.seconds)
                        results.setdefault(workload, {}).setdefault(target, []).append(measured)
                        print(f"round {round_number + 1} {workload} {target}: {measured['rps']:.0f} req/s", flush=True)
                for workload in ("W1", "W3"):
                    measured = wrk(server_base, workload, READER_TOKEN, args.rows, args.seconds)
                    results.setdefault(f"{workload}-reader", {}).setdefault("server", []).append(measured)
                    print(f"round {round_number + 1} {workload} as reader: {measured['rps']:.0f} req/s", flush=True)
            rss = worker_rss_mib(server)
            soak = run_soak(server, server_base, args) if args.soak else None
        finally:
            stop(server)
            stop(floor)
            sql(database_url, ["DELETE FROM articles WHERE title = 'Benchmark'"])

        table = summarise(results, counts)
        report = {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "rows": args.rows,
            "seconds": args.seconds,
            "rounds": args.rounds,
            "workers": workers,
            "worker_peak_rss_mib": rss,
            "soak": soak,
            "statements": counts,
            "table": table,
            "raw": results,
        }
        print_table(table, counts, rss)
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"{report['when'].replace(':', '')}.json"
        path.write_text(json.dumps(report, indent=2))
        print(f"\nwritten to {path.relative_to(ROOT)}")
    finally:
        if not args.keep:
            sql(f"{server_url}/postgres", [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'])
            shutil.rmtree(data_dir, ignore_errors=True)


def best(measurements: list[dict]) -> dict:
    return max(measurements, key=lambda m: m["rps"])


def summarise(results: dict, counts: dict) -> list[dict]:
    rows = []
    for workload, targets in results.items():
        server = best(targets["server"])
        floor = best(targets["floor"]) if "floor" in targets else None
        rows.append(
            {
                "workload": workload,
                "server_rps": server["rps"],
                "server_p50_ms": server["p50_ms"],
                "server_p99_ms": server["p99_ms"],
                "floor_rps": floor["rps"] if floor else None,
                "floor_p50_ms": floor["p50_ms"] if floor else None,
                "floor_p99_ms": floor["p99_ms"] if floor else None,
                "ratio": round(server["rps"] / floor["rps"], 2) if floor and floor["rps"] else None,
                "statements": counts.get(workload),
                "server_non_2xx": server["non_2xx"],
            }
        )
    return rows


def print_table(table: list[dict], counts: dict, rss: float) -> None:
    header = (
        f"{'workload':<10} {'server r/s':>10} {'p50':>7} {'p99':>7} "
        f"{'floor r/s':>10} {'p50':>7} {'p99':>7} {'ratio':>6} {'SQL':>4}"
    )
    print("\n" + header)
    print("-" * len(header))
    for row in table:

        def fmt(value, width, digits=1):
            return f"{value:>{width}.{digits}f}" if isinstance(value, int | float) else f"{'-':>{width}}"

        print(
            f"{row['workload']:<10} {fmt(row['server_rps'], 10, 0)} {fmt(row['server_p50_ms'], 7)} "
            f"{fmt(row['server_p99_ms'], 7)} {fmt(row['floor_rps'], 10, 0)} {fmt(row['floor_p50_ms'], 7)} "
            f"{fmt(row['floor_p99_ms'], 7)} {fmt(row['ratio'], 6, 2)} "
            f"{row['statements'] if row['statements'] is not None else '-':>4}"
        )
    print(f"\nW2 with meta=total_count: {counts.get('W2+total_count')} statements; peak worker RSS {rss} MiB")


if __name__ == "__main__":
    main()
