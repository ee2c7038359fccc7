#!/usr/bin/env python
"""Archive memory: `exportproject` and `importproject` of a project whose one collection holds
10,000 and then 100,000 rows, to show that their memory does not grow with the size of a table.

For each size, a child process creates a SQLite project in a temporary data directory and loads
N rows (a title and a 200-character body); then `exportproject` and `importproject` (into
another SQLite project) each run in a process of their own, which reports its peak RSS (VmHWM).

    .venv/bin/python benchmarks/archive_memory.py
    .venv/bin/python benchmarks/archive_memory.py --sizes 1000 50000
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024

LOAD = """
import django
django.setup()
from django.db import connections
from apps.operations.services import create_project, prepare_control_database
from apps.projects.context import using_project
from apps.projects.registry import get_project
from apps.schema import services
from apps.users.models import User
from apps.auth.identity import Identity

prepare_control_database()
create_project("src", admin_email="a@example.com", admin_password="a long password")
with using_project(get_project("src")) as project:
    admin = Identity(user=User.objects.get(pk=1), role_id=1)
    services.create_collection({"collection": "articles", "fields": [
        {"field": "id", "type": "integer", "datatype": "INT", "primary_key": True, "auto_increment": True},
        {"field": "title", "type": "string", "datatype": "VARCHAR", "length": 100},
        {"field": "body", "type": "string", "datatype": "TEXT"},
    ]}, admin)
    with connections[project.alias].cursor() as cursor:
        cursor.executemany(
            "INSERT INTO articles (title, body) VALUES (%s, %s)",
            [(f"Article {i}", "x" * 200) for i in range({n})],
        )
"""

RUN = """
import django, sys
django.setup()
from django.core.management import call_command
call_command(*sys.argv[1:])
with open("/proc/self/status") as status:
    print(next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:")))
"""


def run(env: dict, code: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        sys.exit(done.stderr)
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    options = parser.parse_args()
    for n in options.sizes:
        with tempfile.TemporaryDirectory(prefix="archive-memory-") as data:
            env = {**os.environ, "DJANGO_SETTINGS_MODULE": "directus.settings.dev", "DIRECTUS_DATA_DIR": data}
            run(env, LOAD.replace("{n}", str(n)))
            archive = str(Path(data) / "src.tar.gz")
            started = time.perf_counter()
            exported = int(run(env, RUN, "exportproject", "src", archive).split()[-1])
            middle = time.perf_counter()
            imported = int(run(env, RUN, "importproject", "dst", archive).split()[-1])
            ended = time.perf_counter()
            size = Path(archive).stat().st_size
            print(
                f"{n:>8} rows: archive {size / MIB:6.1f} MiB; export peak RSS {exported / MIB:6.1f} MiB "
                f"({middle - started:5.1f} s), import peak RSS {imported / MIB:6.1f} MiB ({ended - middle:5.1f} s)"
            )


if __name__ == "__main__":
    main()
