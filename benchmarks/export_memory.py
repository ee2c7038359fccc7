#!/usr/bin/env python
"""Export memory: `GET /utils/export/:collection` of 10,000 and of 100,000 items, to show that a
worker's memory does not grow with the size of an export.

A child process creates a SQLite project in a temporary data directory and loads N articles
(title, a 200-character body, a rating, a status, an author); this process then calls the WSGI
application as a WSGI server would, reading each streamed body chunk by chunk and keeping none
of it. After a warm-up export it reports, per request, the largest RSS seen while the body was
read (sampled at every chunk) and the process's peak RSS so far (VmHWM), and with --tracemalloc
the peak of the memory Python allocated during the request.

    .venv/bin/python benchmarks/export_memory.py                    # 10,000 then 100,000 items, JSON
    .venv/bin/python benchmarks/export_memory.py --format csv --tracemalloc
    .venv/bin/python benchmarks/export_memory.py --compare-list     # also GET /items?limit=-1 (not streamed)
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
TOKEN = "export-benchmark-token"


def status_bytes(name: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{name}:"):
                return int(line.split()[1]) * 1024
    return 0


def setup_django(data_dir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "directus.settings.dev"
    os.environ["DIRECTUS_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SECRET_KEY", "export-memory-benchmark")
    for name in ("DIRECTUS_CONTROL_DATABASE_URL", "DIRECTUS_REDIS_URL"):
        os.environ.pop(name, None)
    sys.path.insert(0, str(ROOT))
    import logging

    import django

    django.setup()
    logging.disable(logging.WARNING)


def load(project, count: int) -> None:
    from types import SimpleNamespace

    from apps.projects.context import using_project
    from apps.schema import services
    from apps.schema.cache import project_schema

    admin = SimpleNamespace(is_admin=True)
    key = {"field": "id", "type": "integer", "datatype": "INT", "primary_key": True, "auto_increment": True}
    status = {"field": "status", "type": "status", "datatype": "VARCHAR", "length": 20, "default_value": "draft"}
    name = {"field": "name", "type": "string", "datatype": "VARCHAR", "length": 100}
    with using_project(project):
        services.create_collection({"collection": "authors", "fields": [key, name]}, admin)
        services.create_collection(
            {
                "collection": "articles",
                "fields": [
                    key,
                    status,
                    {"field": "title", "type": "string", "datatype": "VARCHAR", "length": 100},
                    {"field": "body", "type": "string", "datatype": "TEXT"},
                    {"field": "rating", "type": "integer", "datatype": "INT"},
                    {"field": "author", "type": "m2o", "datatype": "INT"},
                ],
            },
            admin,
        )
        services.create_relations(
            [{"collection_many": "articles", "field_many": "author", "collection_one": "authors"}], admin
        )
        schema = project_schema()
        authors = schema.model("authors")
        authors.objects.bulk_create([authors(name=f"Author {index}") for index in range(1, 101)])
        articles = schema.model("articles")
        body = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 4
        for start in range(0, count, 10_000):
            rows = [
                articles(
                    status="published" if index % 3 else "draft",
                    title=f"Article {index}",
                    body=body[:200],
                    rating=index % 10,
                    author=index % 100 + 1,
                )
                for index in range(start + 1, min(start + 10_000, count) + 1)
            ]
            articles.objects.bulk_create(rows)


def call(application, project, path: str, params: dict) -> tuple[int, int, float, int]:
    """(status, body bytes, seconds, largest RSS) of one request, its body read chunk by chunk
    and dropped."""
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": f"/{project.key}/{path}",
        "QUERY_STRING": urlencode(params),
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8055",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_AUTHORIZATION": f"Bearer {TOKEN}",
        "wsgi.url_scheme": "http",
        "wsgi.input": open(os.devnull, "rb"),  # noqa: SIM115
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = int(status.split()[0])

    started = time.perf_counter()
    body = application(environ, start_response)
    size, largest = 0, status_bytes("VmRSS")
    try:
        for chunk in body:
            size += len(chunk)
            largest = max(largest, status_bytes("VmRSS"))
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return answer["status"], size, time.perf_counter() - started, largest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--items", type=int, default=100_000, help="articles loaded (default 100,000)")
    parser.add_argument("--small", type=int, default=10_000, help="items of the smaller export (default 10,000)")
    parser.add_argument("--format", choices=("json", "csv"), default="json")
    parser.add_argument("--tracemalloc", action="store_true", help="also the peak Python allocation per export")
    parser.add_argument("--compare-list", action="store_true", help="then GET /items/articles?limit=-1 alike")
    parser.add_argument("--load-into", type=Path, help=argparse.SUPPRESS)  # the child's part
    args = parser.parse_args()
    if args.load_into:
        return create_and_load(args.load_into, args.items)
    data_dir = Path(tempfile.mkdtemp(prefix="directus-export-"))
    try:
        started = time.perf_counter()
        # Loaded by another process, so that what loading took is not part of this one's memory.
        subprocess.run([sys.executable, __file__, "--load-into", str(data_dir), "-n", str(args.items)], check=True)
        print(f"SQLite project in {data_dir}: {args.items} articles loaded in {time.perf_counter() - started:.1f} s")
        return run(args, data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def create_and_load(data_dir: Path, items: int) -> int:
    setup_django(data_dir)
    from django.core.management import call_command

    from apps.operations.services import create_project
    from apps.projects.registry import ProjectConfig

    call_command("migrate", verbosity=0)
    project = ProjectConfig.from_model(
        create_project("bench", admin_email="admin@example.com", admin_password="bench password", admin_token=TOKEN)
    )
    load(project, items)
    return 0


def run(args, data_dir: Path) -> int:
    setup_django(data_dir)
    from django.core.wsgi import get_wsgi_application

    from apps.projects.registry import get_project

    project = get_project("bench")
    application = get_wsgi_application()
    fields = "id,status,title,body,rating,author.name"
    requests = [
        ("warm-up", "utils/export/articles", {"format": args.format, "filter[id][lte]": 1000}),
        (f"export {args.small}", "utils/export/articles", {"format": args.format, "filter[id][lte]": args.small}),
        (f"export {args.items}", "utils/export/articles", {"format": args.format}),
    ]
    if args.compare_list:
        requests.append((f"list {args.items}", "items/articles", {"limit": -1}))
    if args.tracemalloc:
        tracemalloc.start()
    print(
        f"{'request':<16} {'status':>6} {'MiB sent':>9} {'seconds':>8} {'RSS MiB':>8} {'peak RSS MiB':>13}"
        f" {'traced peak MiB':>16}"
    )
    for label, path, params in requests:
        params = {"fields": fields, "status": "*", **params}
        if args.tracemalloc:
            tracemalloc.reset_peak()
        status, size, seconds, largest = call(application, project, path, params)
        traced = f"{tracemalloc.get_traced_memory()[1] / MIB:.1f}" if args.tracemalloc else "-"
        peak = status_bytes("VmHWM") / MIB
        print(
            f"{label:<16} {status:>6} {size / MIB:>9.1f} {seconds:>8.2f} {largest / MIB:>8.1f} {peak:>13.1f}"
            f" {traced:>16}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
