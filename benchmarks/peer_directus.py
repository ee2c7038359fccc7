"""Directus 12 as the peer of `run.py --peer directus`: installed from the npm registry into a cache
folder outside the repository (BENCH_CACHE_DIR, default ~/.cache/directus-bench/) the first time,
then reused; nothing of it is part of the checkout.

Directus gets a copy of the benchmark database (the same tables, rows and indexes, made with
CREATE DATABASE … TEMPLATE) without the server's own system tables, which share Directus's table
names; `directus bootstrap` adds its own. It learns `authors` and `articles` from the database
itself, as it does any existing table; their collection rows and the reader role go through its
REST API; the M2O relation is one `directus_relations` row (metadata only, so the copy gets no
foreign key the server's tables lack).
"""

import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from support import http, serving, sql

# 12.4.1 names @directus/app 18.0.1, which the registry does not serve (yet): the newest 12.4 that installs.
DIRECTUS_VERSION = "12.4.0"
# Directus 12 needs Node 22 or later; the official builds of Node are on the registry as packages.
NODE_VERSION = "22.23.5"
NODE_MAJOR = 22

ADMIN_TOKEN = "bench-admin-token"
READER_TOKEN = "bench-reader-token"
# The server's workloads in Directus 9+ terms: no project prefix, `_eq` for the filter operator.
PATHS = {
    "W1": "/items/articles/{id}",
    "W2": "/items/articles?fields=id,title,status,published_on&filter[status][_eq]=published"
    "&sort=-published_on&limit=100",
    "W3": "/items/articles?fields=*,author.*&limit=100",
    "W4": "/items/articles",
}
# Field permissions (hiding `body` from the reader, as the server's reader role does) are a licensed
# feature in Directus 12 (`custom_permission_rules_enabled`); the core license reads whole rows.
READER_PERMISSIONS = [
    {"collection": "articles", "action": "read", "fields": ["*"]},
    {"collection": "authors", "action": "read", "fields": ["*"]},
]
# Nothing leaves this machine: the core license has telemetry on whatever TELEMETRY says, so its
# reports go to a closed local port (the per-request counter it keeps still runs, as in production).
NOWHERE = "http://127.0.0.1:9"


def cache_dir() -> Path:
    return Path(os.environ.get("BENCH_CACHE_DIR") or Path.home() / ".cache" / "directus-bench")


@dataclass(frozen=True)
class Installation:
    node: Path
    cli: Path  # the Directus CLI itself, without the npm `directus` wrapper's update check

    def command(self, *args: str) -> list[str]:
        return [str(self.node), str(self.cli), *args]


def install(cache: Path) -> Installation:
    """Node 22 (unless the machine's node is recent enough) and Directus, each once."""
    if shutil.which("npm") is None:
        sys.exit("npm is needed for --peer directus: apt-get install npm")
    node, headers = _node(cache)
    prefix = cache / f"directus-{DIRECTUS_VERSION}-node{_major(node)}"
    marker = prefix / ".installed"
    if not marker.exists():
        print(f"Installing Directus {DIRECTUS_VERSION} into {prefix} (once) ...", flush=True)
        env = _npm_env(node, headers)
        _npm(["install", "--prefix", str(prefix), f"directus@{DIRECTUS_VERSION}"], env)
        # isolated-vm is a native module: it must be built for the node that runs Directus.
        loads = subprocess.run([str(node), "-e", "require('isolated-vm')"], cwd=prefix, capture_output=True)
        if loads.returncode != 0:
            _npm(["rebuild", "--prefix", str(prefix), "isolated-vm"], env)
        marker.touch()
    return Installation(node, prefix / "node_modules" / "@directus" / "api" / "dist" / "cli" / "run.js")


def _node(cache: Path) -> tuple[Path, Path | None]:
    """A node binary of at least NODE_MAJOR, and the folder with its C headers if we installed it."""
    system = shutil.which("node")
    if system and _major(Path(system)) >= NODE_MAJOR:
        return Path(system), None
    arch = {"x86_64": "x64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
    package = f"node-linux-{arch}"
    prefix = cache / f"node-{NODE_VERSION}"
    home = prefix / "node_modules" / package
    node = home / "bin" / "node"
    if not node.exists():
        print(f"Installing Node {NODE_VERSION} into {prefix} (once) ...", flush=True)
        _npm(["install", "--prefix", str(prefix), f"{package}@{NODE_VERSION}"], dict(os.environ))
    return node, home


def _major(node: Path) -> int:
    version = subprocess.run([str(node), "--version"], capture_output=True, text=True, check=True).stdout
    return int(version.strip().lstrip("v").split(".")[0])


def _npm_env(node: Path, headers: Path | None) -> dict:
    """npm runs on the first node on PATH, and node-gyp builds for the node it runs on; the
    headers shipped in the node package spare node-gyp a download."""
    env = {**os.environ, "PATH": f"{node.parent}{os.pathsep}{os.environ['PATH']}"}
    if headers is not None:
        env["npm_config_nodedir"] = str(headers)
    return env


def _npm(args: list[str], env: dict) -> None:
    subprocess.run(
        ["npm", *args, "--no-audit", "--no-fund", "--loglevel=error"],
        env={**env, "npm_config_update_notifier": "false"},
        check=True,
    )


def prepare_database(server_url: str, source: str, target: str) -> str:
    """A copy of the loaded benchmark database holding only `authors` and `articles`."""
    sql(f"{server_url}/postgres", [f'CREATE DATABASE "{target}" TEMPLATE "{source}"'])
    database_url = f"{server_url}/{target}"
    others = sql(
        database_url,
        ["SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('authors', 'articles')"],
    )
    sql(
        database_url,
        [
            "DROP TABLE " + ", ".join(f'"{name}"' for (name,) in others) + " CASCADE",
            # Directus sorts `-published_on` as plain DESC (NULLs first in PostgreSQL), which the
            # server's NULLS LAST index cannot serve: the copy gets the index its own query uses.
            "DROP INDEX articles_status_published",
            "CREATE INDEX articles_status_published ON articles (status, published_on DESC)",
            "ANALYZE",
        ],
    )
    return database_url


class Directus:
    """One Directus project on its own database, started as one process or one per core."""

    def __init__(self, installation: Installation, database_url: str, workdir: Path):
        self.installation = installation
        self.database_url = database_url
        self.database = database_url.rsplit("/", 1)[1]
        self.workdir = workdir
        self.log = workdir / "directus.log"
        workdir.mkdir(parents=True, exist_ok=True)
        # Directus looks for extensions and uploads under its working directory.
        (workdir / "extensions").mkdir(exist_ok=True)
        (workdir / "uploads").mkdir(exist_ok=True)
        (workdir / "package.json").write_text('{"name": "directus-bench", "private": true}\n')

    def env(self, port: int, database_url: str | None = None) -> dict:
        return {
            "PATH": f"{self.installation.node.parent}{os.pathsep}{os.environ['PATH']}",
            "HOME": str(self.workdir),
            "NODE_ENV": "production",
            "DB_CLIENT": "pg",
            "DB_CONNECTION_STRING": database_url or self.database_url,
            "KEY": "bench-key",
            "SECRET": "bench-secret-that-is-long-enough-for-jwt",
            "ADMIN_EMAIL": "admin@example.com",
            "ADMIN_PASSWORD": "bench-password",
            "ADMIN_TOKEN": ADMIN_TOKEN,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "PUBLIC_URL": f"http://127.0.0.1:{port}",
            # The schema is read once per process and not copied for every request (frozen).
            "CACHE_SCHEMA": "true",
            "CACHE_SCHEMA_FREEZE_ENABLED": "true",
            # No response cache: each request does its work, as on the server.
            "CACHE_ENABLED": "false",
            "RATE_LIMITER_ENABLED": "false",
            "RATE_LIMITER_GLOBAL_ENABLED": "false",
            # A slow moment on a shared machine should not turn into 503s.
            "PRESSURE_LIMITER_ENABLED": "false",
            # Below `info`: no line per request, as neither the server nor the floor writes an access log.
            "LOG_LEVEL": "warn",
            "TELEMETRY": "false",
            "TELEMETRY_URL": NOWHERE,
            "COMPLIANCE_URL": NOWHERE,
        }

    def bootstrap(self) -> None:
        """Directus's system tables and admin user, then the relation articles.author -> authors."""
        with self.log.open("a") as log:
            subprocess.run(
                self.installation.command("bootstrap"),
                env=self.env(0),
                cwd=self.workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
                check=True,
            )
        sql(
            self.database_url,
            [
                "INSERT INTO directus_relations (many_collection, many_field, one_collection) "
                "VALUES ('articles', 'author', 'authors')"
            ],
        )

    def start(self, port: int, workers: int = 1, database_url: str | None = None) -> subprocess.Popen:
        """One process, or `workers` processes sharing the port (directus_cluster.cjs)."""
        if workers == 1:
            command = self.installation.command("start")
        else:
            wrapper = Path(__file__).with_name("directus_cluster.cjs")
            command = [str(self.installation.node), str(wrapper), str(self.installation.cli), str(workers)]
        with self.log.open("a") as log:
            process = subprocess.Popen(
                command,
                env=self.env(port, database_url),
                cwd=self.workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            return serving(process, f"http://127.0.0.1:{port}/server/ping", seconds=120)
        except RuntimeError:
            print(self.log.read_text()[-3000:], file=sys.stderr)
            raise

    def configure(self, base: str) -> None:
        """Collection rows for both tables and a reader role with a static token, through the API."""
        for collection in ("authors", "articles"):
            http("PATCH", f"{base}/collections/{collection}", ADMIN_TOKEN, {"meta": {"accountability": "all"}})
        policy = http(
            "POST",
            f"{base}/policies",
            ADMIN_TOKEN,
            {"name": "Readers", "app_access": False, "admin_access": False, "permissions": READER_PERMISSIONS},
        )["body"]["data"]["id"]
        role = http("POST", f"{base}/roles", ADMIN_TOKEN, {"name": "Readers", "policies": [{"policy": policy}]})
        http(
            "POST",
            f"{base}/users",
            ADMIN_TOKEN,
            {
                "email": "reader@example.com",
                "status": "active",
                "role": role["body"]["data"]["id"],
                "token": READER_TOKEN,
            },
        )
