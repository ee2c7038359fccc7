"""Read and write paths against the raw-SQL floor, and optionally Directus 12, on PostgreSQL, with wrk.

    .venv/bin/python benchmarks/run.py                   # 100,000 articles, 10 s per workload
    .venv/bin/python benchmarks/run.py --rows 1000000    # how cost grows
    .venv/bin/python benchmarks/run.py --quick           # 10,000 articles, 3 s: a smoke run
    .venv/bin/python benchmarks/run.py --peer directus   # Directus 12 on a copy of the same data

Needs PostgreSQL (BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432) and `wrk`
(Debian package); `--peer directus` also needs npm (see peer_directus.py). Loads the data set
through the project's own commands and API plus SQL, starts the server under gunicorn as bin/serve
does, the floor app (benchmarks/floor.py) and the peer, drives them in turn, two rounds each, and
prints one table with CPU and SQL statements per request; the JSON goes to benchmarks/results/."""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import cpu
import peer_directus
import pg_wire
from support import free_port, http, serving, sql, stop

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
RESULTS = ROOT / "benchmarks" / "results"
ADMIN_TOKEN = "bench-admin-token"
READER_TOKEN = "bench-reader-token"

METHODS = {"W1": "GET", "W2": "GET", "W3": "GET", "W4": "POST"}
SERVER_PATHS = {
    "W1": "/_/items/articles/{id}",
    "W2": "/_/items/articles?fields=id,title,status,published_on&filter[status][eq]=published"
    "&sort=-published_on&limit=100",
    "W3": "/_/items/articles?fields=*,author.*&limit=100",
    "W4": "/_/items/articles",
}
READER_WORKLOADS = ("W1", "W3")

LUA_RANDOM_ID = """
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function()
  return wrk.format("GET", "%(prefix)s" .. math.random(1, %(rows)d), {["Authorization"] = "Bearer %(token)s"})
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


@dataclass
class Target:
    """Something wrk drives: its URLs, how it starts, its process group and the database its
    PostgreSQL backends serve."""

    name: str
    base: str
    paths: dict[str, str]
    database: str
    launch: Callable[[], subprocess.Popen]
    has_reader: bool = False
    process: subprocess.Popen | None = None


def run(args, env=None, **kwargs):
    return subprocess.run(args, check=True, env=env, cwd=ROOT, **kwargs)


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
    return serving(process, base + "/server/ping")


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
    return serving(process, base + "/_/items/articles/1", seconds=30)


def run_soak(server: Target, args) -> dict:
    """About `args.soak` more requests (W1 and W3 alternating, 5 s each), with the largest
    worker's RSS read after every pair: it should stay within a band, not climb."""
    before = worker_rss_mib(server.process, field="VmRSS")
    done = 0
    samples = []
    while done < args.soak:
        for workload in ("W1", "W3"):
            measured = wrk(server, workload, ADMIN_TOKEN, args.rows, SOAK_STEP_SECONDS)
            done += measured["requests"]
        samples.append((done, worker_rss_mib(server.process, field="VmRSS")))
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


def wrk(target: Target, workload: str, token: str, rows: int, seconds: int) -> dict:
    method, path = METHODS[workload], target.paths[workload]
    if workload == "W1":
        script = LUA_RANDOM_ID % {"prefix": path.split("{id}")[0], "rows": rows, "token": token}
    else:
        body = json.dumps(POST_BODY) if method == "POST" else "nil"
        script = LUA_PLAIN % {"method": method, "path": path, "token": token, "body": body}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        output = subprocess.run(
            ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", "-s", handle.name, target.base],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        os.unlink(handle.name)
    return parse_wrk(output)


def measure(target: Target, workload: str, token: str, rows: int, seconds: int) -> dict:
    """One wrk run, with the CPU the target and its PostgreSQL backends spent on it per request."""
    before = cpu.snapshot(target.process.pid, target.database)
    measured = wrk(target, workload, token, rows, seconds)
    after = cpu.snapshot(target.process.pid, target.database)
    app_ms, database_ms = cpu.used_ms(before, after)
    requests = measured["requests"] or 1
    return {
        **measured,
        "app_cpu_ms": round(app_ms / requests, 3),
        "db_cpu_ms": round(database_ms / requests, 3),
        "cpu_ms": round((app_ms + database_ms) / requests, 3),
    }


def parse_wrk(output: str) -> dict:
    def latency(label: str) -> float | None:
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", output, re.MULTILINE)
        if not match:
            return None
        value, unit = float(match.group(1)), match.group(2)
        return round(value / 1000 if unit == "us" else value * 1000 if unit == "s" else value, 2)

    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(rate.group(1)) if rate else 0.0,
        "requests": int(total.group(1)) if total else 0,
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def statements(base: str, token: str, rows: int) -> dict:
    """SQL statements per request, from the server's own counter (X-Directus-Statements): the
    median of three after a few warm-up requests (each of a worker's threads opens its own
    connection, and a connection's first request sends one statement more)."""

    def count(method: str, path: str) -> int:
        body = json.loads(POST_BODY) if method == "POST" else None
        for _ in range(4):
            http(method, base + path, token, body)
        samples = [http(method, base + path, token, body)["headers"].get("X-Directus-Statements", -1) for _ in range(3)]
        return sorted(int(sample) for sample in samples)[1]

    counts = {name: count(method, SERVER_PATHS[name].format(id=rows // 2)) for name, method in METHODS.items()}
    counts["W2+total_count"] = count("GET", SERVER_PATHS["W2"] + "&meta=total_count")
    return counts


def wire_statements(base: str, paths: dict, token: str, rows: int, counter: pg_wire.StatementCounter) -> dict:
    """SQL statements per request as PostgreSQL receives them (pg_wire.py), for targets without a
    counter of their own: after two warm-up requests, the median of three."""
    counts = {}
    for name, method in METHODS.items():
        url = base + paths[name].format(id=rows // 2)
        body = json.loads(POST_BODY) if method == "POST" else None
        for _ in range(2):
            http(method, url, token, body)
        tallies = []
        for _ in range(3):
            time.sleep(0.3)  # anything still in flight belongs to the request before
            counter.take()
            http(method, url, token, body)
            time.sleep(0.3)
            tallies.append(counter.take())
        tally = sorted(tallies, key=lambda t: t.statements)[1]
        counts[name] = {
            "statements": tally.statements,
            "transaction_control": tally.transaction_control,
            "sql": tally.texts,
        }
    return counts


def count_floor(env: dict, database_url: str, counter: pg_wire.StatementCounter, rows: int) -> dict:
    base = f"http://127.0.0.1:{free_port()}"
    floor = start_floor({**env, "BENCH_DATABASE_URL": counter.url(database_url)}, base, workers=1)
    try:
        return wire_statements(base, SERVER_PATHS, ADMIN_TOKEN, rows, counter)
    finally:
        stop(floor)


def prepare_directus(installation, server_url: str, name: str, data_dir: Path) -> peer_directus.Directus:
    """Directus on its own copy of the loaded database (made before anything connects to it)."""
    database_url = peer_directus.prepare_database(server_url, name, f"{name}_directus")
    directus = peer_directus.Directus(installation, database_url, data_dir / "directus")
    print(f"Bootstrapping Directus {peer_directus.DIRECTUS_VERSION} on {name}_directus ...", flush=True)
    directus.bootstrap()
    return directus


def configure_and_count_directus(directus: peer_directus.Directus, counter, rows: int) -> dict:
    """Configuration through the API and the statement counts, on one process behind the counter."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = directus.start(port, workers=1, database_url=counter.url(directus.database_url))
    try:
        directus.configure(base)
        return wire_statements(base, peer_directus.PATHS, peer_directus.ADMIN_TOKEN, rows, counter)
    finally:
        stop(process)


def directus_target(directus: peer_directus.Directus, processes: int) -> Target:
    # By default one Node process per core (Node serves requests on one thread), on one port.
    port = free_port()
    return Target(
        "directus",
        f"http://127.0.0.1:{port}",
        peer_directus.PATHS,
        directus.database,
        launch=lambda: directus.start(port, workers=processes),
        has_reader=True,
    )


def each_run(targets: list[Target]):
    """(row key, target, token, workload) of one round: each workload on each target as the admin,
    then the reader workloads on the targets that have a reader."""
    for workload in METHODS:
        for target in targets:
            yield workload, target, ADMIN_TOKEN, workload
    for workload in READER_WORKLOADS:
        for target in targets:
            if target.has_reader:
                yield f"{workload}-reader", target, READER_TOKEN, workload


def warm_up(targets: list[Target], rows: int) -> None:
    """Every worker builds its caches and compiles its statements on first use: a short unrecorded
    run of each workload on each target first."""
    for _, target, token, workload in each_run(targets):
        wrk(target, workload, token, rows, WARM_UP_SECONDS)


def run_rounds(targets: list[Target], args) -> dict:
    """Each round, each workload on each target in turn, so a slow moment of the machine is shared."""
    results: dict = {}

    def record(key: str, target: Target, token: str, workload: str, round_number: int) -> None:
        measured = measure(target, workload, token, args.rows, args.seconds)
        results.setdefault(key, {}).setdefault(target.name, []).append(measured)
        print(
            f"round {round_number + 1} {key} {target.name}: {measured['rps']:.0f} req/s, "
            f"{measured['cpu_ms']:.2f} ms CPU per request",
            flush=True,
        )

    for round_number in range(args.rounds):
        for key, target, token, workload in each_run(targets):
            record(key, target, token, workload, round_number)
    return results


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the data directory and databases")
    parser.add_argument(
        "--soak", type=int, default=0, metavar="N", help="after the rounds, about N more W1/W3 requests, then RSS again"
    )
    parser.add_argument(
        "--peer", choices=["directus"], help="also run Directus 12 on a copy of the data (installed once, see README)"
    )
    parser.add_argument(
        "--peer-processes", type=int, default=os.cpu_count() or 1, metavar="N", help="Node processes (default: cores)"
    )
    args = parser.parse_args()
    if args.quick:
        args.rows, args.seconds, args.rounds = 10_000, 3, 1
    return args


def count_statements(env: dict, server: Target, database_url: str, directus, args) -> tuple[dict, dict]:
    """The server's statements from its own counter; the floor's and the peer's from the wire."""
    counting = start_server({**env, "DIRECTUS_COUNT_STATEMENTS": "1"}, server.base, workers=1)
    try:
        counts = statements(server.base, ADMIN_TOKEN, args.rows)
    finally:
        stop(counting)
    counter = pg_wire.StatementCounter(database_url)
    try:
        wire_counts = {"floor": count_floor(env, database_url, counter, args.rows)}
        if directus:
            wire_counts["directus"] = configure_and_count_directus(directus, counter, args.rows)
    finally:
        counter.close()
    return counts, wire_counts


def drive(env: dict, targets: list[Target], directus, args) -> tuple[dict, float, dict | None]:
    """Starts every target, warms them up, runs the rounds (and the soak); stops them all."""
    server = targets[0]
    try:
        for target in targets:
            target.process = target.launch()
        warm_up(targets, args.rows)
        results = run_rounds(targets, args)
        rss = worker_rss_mib(server.process)
        soak = run_soak(server, args) if args.soak else None
    finally:
        for target in targets:
            if target.process is not None:
                stop(target.process)
        sql(env["BENCH_DATABASE_URL"], ["DELETE FROM articles WHERE title = 'Benchmark'"])
        if directus:
            sql(directus.database_url, ["DELETE FROM articles WHERE title = 'Benchmark'"])
    return results, rss, soak


def main() -> None:
    args = parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")

    server_url = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    name = f"dx_bench_{os.getpid()}"
    database_url = f"{server_url}/{name}"
    data_dir = Path(tempfile.mkdtemp(prefix="directus-bench-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "directus.settings.dev",
        "DIRECTUS_DATA_DIR": str(data_dir),
        "PYTHONPATH": str(ROOT),
        "BENCH_DATABASE_URL": database_url,
    }
    # The server as directus/gunicorn.conf.py runs it (one threaded worker per core); the floor's
    # sync workers serve one request each, so it gets two per core.
    server_workers = max(2, os.cpu_count() or 1)
    workers = 2 * (os.cpu_count() or 1)
    server_base, floor_base = f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}"
    # Each round runs the workloads in this order: server, peer, floor.
    targets = [
        Target(
            "server",
            server_base,
            SERVER_PATHS,
            name,
            launch=lambda: start_server(env, server_base, server_workers),
            has_reader=True,
        ),
        Target("floor", floor_base, SERVER_PATHS, name, launch=lambda: start_floor(env, floor_base, workers)),
    ]
    try:
        # Installed (once) before loading, so that a failing install fails early.
        installation = peer_directus.install(peer_directus.cache_dir()) if args.peer else None
        print(f"Loading {args.rows} articles into {name} ...", flush=True)
        load(env, targets[0].base, database_url, args.rows)
        directus = None
        if installation:
            directus = prepare_directus(installation, server_url, name, data_dir)
            targets.insert(1, directus_target(directus, args.peer_processes))

        counts, wire_counts = count_statements(env, targets[0], database_url, directus, args)
        results, rss, soak = drive(env, targets, directus, args)

        table = summarise(results, counts, wire_counts)
        report = {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "rows": args.rows,
            "seconds": args.seconds,
            "rounds": args.rounds,
            "workers": {"server": server_workers, "floor": workers},
            "peer": {"name": "directus", "version": peer_directus.DIRECTUS_VERSION, "processes": args.peer_processes}
            if args.peer
            else None,
            "worker_peak_rss_mib": rss,
            "soak": soak,
            "statements": counts,
            "wire_statements": wire_counts,
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
            sql(
                f"{server_url}/postgres",
                [f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)' for db in (name, f"{name}_directus")],
            )
            shutil.rmtree(data_dir, ignore_errors=True)


def best(measurements: list[dict]) -> dict:
    return max(measurements, key=lambda m: m["rps"])


def ratio(numerator, denominator) -> float | None:
    return round(numerator / denominator, 2) if numerator is not None and denominator else None


def summarise(results: dict, counts: dict, wire_counts: dict) -> list[dict]:
    """The best round of each workload and target, with CPU and statements per request."""
    rows = []
    for workload, targets in results.items():
        row = {"workload": workload}
        for name, measurements in targets.items():
            measured = best(measurements)
            if name == "server":
                statements_ = counts.get(workload)
            else:
                statements_ = wire_counts.get(name, {}).get(workload, {}).get("statements")
            row |= {
                f"{name}_rps": measured["rps"],
                f"{name}_p50_ms": measured["p50_ms"],
                f"{name}_p99_ms": measured["p99_ms"],
                f"{name}_cpu_ms": measured["cpu_ms"],
                f"{name}_app_cpu_ms": measured["app_cpu_ms"],
                f"{name}_db_cpu_ms": measured["db_cpu_ms"],
                f"{name}_statements": statements_,
                f"{name}_non_2xx": measured["non_2xx"],
            }
        row["statements"] = row.get("server_statements")
        row["ratio"] = ratio(row.get("server_rps"), row.get("floor_rps"))
        row["cpu_vs_directus"] = ratio(row.get("server_cpu_ms"), row.get("directus_cpu_ms"))
        row["cpu_vs_floor"] = ratio(row.get("server_cpu_ms"), row.get("floor_cpu_ms"))
        # Each round runs the targets back to back, so a round's ratio compares them under the
        # same load; the spread of these says how far one run's ratio of bests can be trusted.
        for name in ("directus", "floor"):
            if name in targets:
                pairs = zip(targets["server"], targets[name], strict=False)
                row[f"cpu_vs_{name}_by_round"] = [ratio(ours["cpu_ms"], theirs["cpu_ms"]) for ours, theirs in pairs]
        rows.append(row)
    return rows


def print_table(table: list[dict], counts: dict, rss: float) -> None:
    """Markdown: per target r/s, p50 and p99 (ms), CPU ms and SQL statements per request."""
    names = [name for name in ("server", "directus", "floor") if any(f"{name}_rps" in row for row in table)]
    columns = [("workload", "workload", "s")]
    for name in names:
        title = "Directus" if name == "directus" else name
        columns += [
            (f"{title} r/s", f"{name}_rps", ",.0f"),
            ("p50", f"{name}_p50_ms", ".1f"),
            ("p99", f"{name}_p99_ms", ".1f"),
            ("CPU ms", f"{name}_cpu_ms", ".2f"),
            ("SQL", f"{name}_statements", "d"),
        ]
    columns.append(("r/s vs floor", "ratio", ".2f"))
    if "directus" in names:
        columns.append(("CPU vs Directus", "cpu_vs_directus", ".2f"))
    columns.append(("CPU vs floor", "cpu_vs_floor", ".2f"))

    def cell(row: dict, key: str, spec: str) -> str:
        value = row.get(key)
        if value is None:
            return ""
        if key == "workload":
            return value.replace("-reader", " as reader")
        return format(value, spec)

    print("\n| " + " | ".join(title for title, _, _ in columns) + " |")
    print("|" + "|".join("---" if key == "workload" else "---:" for _, key, _ in columns) + "|")
    for row in table:
        print("| " + " | ".join(cell(row, key, spec) for _, key, spec in columns) + " |")
    failures = {
        f"{row['workload']} {name}": row[f"{name}_non_2xx"]
        for row in table
        for name in names
        if row.get(f"{name}_non_2xx")
    }
    if failures:
        print(f"\nNon-2xx responses: {failures}")
    for name in ("directus", "floor"):
        spread = {row["workload"]: row[f"cpu_vs_{name}_by_round"] for row in table if f"cpu_vs_{name}_by_round" in row}
        if spread:
            title = "Directus" if name == "directus" else name
            print(f"\nCPU vs {title}, round by round: " + "; ".join(f"{w} {r}" for w, r in spread.items()))
    print(f"\nW2 with meta=total_count: {counts.get('W2+total_count')} statements; peak worker RSS {rss} MiB")


if __name__ == "__main__":
    main()
