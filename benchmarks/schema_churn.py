#!/usr/bin/env python
"""Schema churn: thousands of schema changes in one process, to show that memory stays flat.

Against a SQLite project in a temporary data directory (no server), runs N schema changes through
the services, cycling through: add a field, alter it, delete it, create a small collection,
delete it. After each change this process's schema is refreshed and its models rebuilt, and a
second schema cache of the same project (standing for another gunicorn worker, which learns of
the change only through the version counters) does the same. RSS (VmRSS) and tracemalloc totals
are reported after a warm-up and every 500 changes.

    .venv/bin/python benchmarks/schema_churn.py                 # 3000 changes
    .venv/bin/python benchmarks/schema_churn.py -n 10000 --no-tracemalloc
    .venv/bin/python benchmarks/schema_churn.py --fail-above 2  # exit 1 if traced memory grows > 2 MiB
"""

import argparse
import gc
import os
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024


def rss_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def setup_django(data_dir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "directus.settings.dev"
    os.environ["DIRECTUS_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SECRET_KEY", "schema-churn-benchmark")
    for name in ("DIRECTUS_CONTROL_DATABASE_URL", "DIRECTUS_REDIS_URL"):
        os.environ.pop(name, None)
    sys.path.insert(0, str(ROOT))
    import logging

    import django

    django.setup()
    logging.disable(logging.WARNING)  # the services log nothing useful here; keep the table readable


def live_objects() -> tuple[int, int]:
    """Run-time/DDL model classes and Apps registries still alive."""
    from django.apps.registry import Apps
    from django.db import models

    classes = registries = 0
    for obj in gc.get_objects():
        if isinstance(obj, type) and issubclass(obj, models.Model) and obj is not models.Model:
            if obj._meta.app_label != "runtime":
                continue
            classes += 1
        elif isinstance(obj, Apps):
            registries += 1
    return classes, registries


class Churn:
    """The cycle of changes; each call to `step` makes one schema change."""

    BASE = "churn_base"

    def __init__(self, services):
        self.services = services
        self.admin = SimpleNamespace(is_admin=True)
        self.count = 0
        self.field = None
        self.temporary = None

    def create_base(self) -> None:
        self.services.create_collection(
            {
                "collection": self.BASE,
                "fields": [
                    {"field": "id", "type": "integer", "datatype": "INT", "primary_key": True, "auto_increment": True},
                    {"field": "title", "type": "string", "datatype": "VARCHAR", "length": 100},
                    {"field": "status", "type": "status", "datatype": "VARCHAR", "length": 20},
                ],
            },
            self.admin,
        )

    def step(self) -> list[str]:
        """One schema change; returns the collections it touched."""
        kind = self.count % 5
        self.count += 1
        services, admin = self.services, self.admin
        if kind == 0:
            self.field = f"f{self.count % 7}"
            services.add_field(
                self.BASE, {"field": self.field, "type": "string", "datatype": "VARCHAR", "length": 50}, admin
            )
        elif kind == 1:
            services.update_fields(self.BASE, [{"field": self.field, "length": 80, "note": "longer"}], admin)
        elif kind == 2:
            services.delete_field(self.BASE, self.field, admin)
        elif kind == 3:
            # Fresh names, as a real project's collections come and go.
            self.temporary = f"tmp_{self.count}"
            services.create_collection(
                {
                    "collection": self.temporary,
                    "fields": [
                        {"field": "id", "type": "integer", "datatype": "INT", "primary_key": True},
                        {"field": "label", "type": "string", "datatype": "VARCHAR", "length": 20},
                    ],
                },
                admin,
            )
            return [self.BASE, self.temporary]
        else:
            services.delete_collection(self.temporary, admin)
            return [self.BASE, self.temporary]
        return [self.BASE]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--changes", type=int, default=3000, help="schema changes to make (default 3000)")
    parser.add_argument("--warmup", type=int, default=200, help="changes before the baseline (default 200)")
    parser.add_argument("--every", type=int, default=500, help="report every this many changes (default 500)")
    parser.add_argument("--no-tracemalloc", action="store_true", help="RSS only (runs about twice as fast)")
    parser.add_argument("--fail-above", type=float, help="exit 1 if memory grows more than this many MiB")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    parser.add_argument("--top", type=int, default=0, help="list the N lines whose traced memory grew most")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="directus-churn-"))
    try:
        return run(args, data_dir)
    finally:
        if args.keep:
            print(f"data directory kept: {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


def run(args, data_dir: Path) -> int:
    setup_django(data_dir)
    from django.core.management import call_command

    from apps.operations.services import create_project
    from apps.projects.context import using_project
    from apps.projects.registry import ProjectConfig
    from apps.schema import cache, services

    call_command("migrate", verbosity=0)
    project = ProjectConfig.from_model(
        create_project(
            "churn", admin_email="admin@example.com", admin_password="churn password", admin_token="churn-token"
        )
    )
    tracing = not args.no_tracemalloc
    if tracing:
        tracemalloc.start(25 if args.top else 1)
    snapshots = []

    rows = []
    with using_project(project):
        this_worker = cache.project_schema(project)
        other_worker = cache.ProjectSchema(project)  # another process's view, kept current by versions only
        churn = Churn(services)
        churn.create_base()
        started = time.perf_counter()
        baseline = None

        def measure(done: int) -> None:
            nonlocal baseline
            gc.collect()
            traced = tracemalloc.get_traced_memory()[0] if tracing else 0
            classes, registries = live_objects()
            row = {
                "changes": done,
                "seconds": time.perf_counter() - started,
                "rss": rss_bytes(),
                "traced": traced,
                "classes": classes,
                "registries": registries,
                "collections": len(this_worker.collections),
                "versions": len(this_worker.versions),
            }
            baseline = baseline or row
            if tracing and args.top:
                snapshots.append(tracemalloc.take_snapshot())
            rows.append(row)
            rss_growth = (row["rss"] - baseline["rss"]) / MIB
            print(
                f"{done:>7} {row['seconds']:>8.1f} {row['rss'] / MIB:>9.1f} {rss_growth:>+8.1f}"
                f" {traced / MIB:>10.2f} {(traced - baseline['traced']) / MIB:>+8.2f}"
                f" {classes:>8} {registries:>6} {row['collections']:>6} {row['versions']:>8}",
                flush=True,
            )

        print(f"SQLite project in {data_dir}; {args.changes} changes; tracemalloc {'on' if tracing else 'off'}")
        print(
            f"{'changes':>7} {'seconds':>8} {'RSS MiB':>9} {'ΔRSS':>8} {'traced MiB':>10} {'Δtraced':>8}"
            f" {'models':>8} {'Apps':>6} {'colls':>6} {'versions':>8}"
        )
        for done in range(1, args.changes + 1):
            touched = churn.step()
            # As a worker would on its next request: check the version, rebuild what moved.
            this_worker.refresh()
            other_worker.refresh()
            for name in touched:
                for schema in (this_worker, other_worker):
                    model = schema.model(name)
                    if model is not None:
                        model.objects.using(project.alias).exists()
            if done == args.warmup or (done > args.warmup and done % args.every == 0) or done == args.changes:
                measure(done)

    if len(rows) < 2:
        return 0
    if snapshots:
        ignore = [tracemalloc.Filter(False, tracemalloc.__file__)]
        first_snapshot, last_snapshot = (snap.filter_traces(ignore) for snap in (snapshots[0], snapshots[-1]))
        print(f"largest growth between the first and the last report (top {args.top}):")
        for stat in last_snapshot.compare_to(first_snapshot, "traceback")[: args.top]:
            print(f"  {stat.size_diff / 1024:+9.1f} KiB {stat.count_diff:+7} blocks")
            for line in stat.traceback.format(limit=8, most_recent_first=True):
                print("      " + line)
    first, last = rows[0], rows[-1]
    growth = {
        "rss": (last["rss"] - first["rss"]) / MIB,
        "traced": (last["traced"] - first["traced"]) / MIB,
    }
    per_change = (last["seconds"] - first["seconds"]) / max(1, last["changes"] - first["changes"]) * 1000
    print(
        f"after warm-up: RSS {growth['rss']:+.1f} MiB, traced {growth['traced']:+.2f} MiB over "
        f"{last['changes'] - first['changes']} changes ({per_change:.1f} ms per change)"
    )
    if args.fail_above is not None:
        measured = growth["traced"] if tracing else growth["rss"]
        if measured > args.fail_above:
            print(f"FAIL: memory grew {measured:.2f} MiB (limit {args.fail_above} MiB)")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
