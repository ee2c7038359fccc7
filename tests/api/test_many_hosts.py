"""Two hosts serving one project, as docs/deployment.md describes them: each a gunicorn server with
a data directory of its own, both on one PostgreSQL server (control and project databases), one
Redis and one S3 store (moto, on loopback). What one host does, the other sees: a file uploaded
through A is served, with a thumbnail, by B; a collection made through A is served by B; a logout
on A ends the token on B; failed logins count across both."""

import io
import json
import os
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.api.files.helpers import s3_endpoint  # noqa: F401
from tests.engines import SERVER_URLS, database_url, unavailable_reason
from tests.helpers import envelope_code
from tests.live import STARTUP_SECONDS, TOKEN, Server, environment, manage, wait_for

REDIS_URL = os.environ.get("DIRECTUS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "many hosts password"
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _redis_reason() -> str | None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:
        return f"Redis not reachable at {REDIS_URL} ({type(exc).__name__})"
    return None


def _missing() -> str | None:
    return unavailable_reason("postgres") or _redis_reason()


def _requires_services():
    reason = _missing()
    if reason and os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"CI=true but {reason}")
    if reason:
        pytest.skip(f"SKIPPED MANY HOSTS: {reason}")


def _postgres(statement: str) -> None:
    import psycopg

    from apps.projects.registry import database_settings

    config = database_settings(SERVER_URLS["postgres"].rstrip("/") + "/postgres")
    with psycopg.connect(
        dbname="postgres", host=config["HOST"], port=config["PORT"] or None, user=config["USER"] or None,
        password=config["PASSWORD"] or None, autocommit=True,
    ) as connection:  # fmt: skip
        connection.execute(statement)


def _request(base: str, method: str, path: str, *, body=None, token=TOKEN, headers=None):
    data, content_type = None, "application/json"
    if isinstance(body, tuple):  # (content type, raw bytes)
        content_type, data = body
    elif body is not None:
        data = json.dumps(body).encode()
    request_headers = {"Content-Type": content_type, **(headers or {})}
    if token:
        request_headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(base + path, data=data, method=method, headers=request_headers)
    try:
        with _opener.open(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _json(answer) -> tuple[int, dict | None]:
    status, raw = answer
    return status, json.loads(raw) if raw else None


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def _multipart(filename: str, content: bytes) -> tuple[str, bytes]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="data"; filename="{filename}"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return f"multipart/form-data; boundary={boundary}", body


def test_two_hosts_serve_one_project(s3_endpoint):  # noqa: F811 (the fixture imported above)
    _requires_services()
    suffix = uuid.uuid4().hex[:8]
    key, control = f"hosts-{suffix}", f"dxt_control_hosts_{suffix}"
    servers: list[Server] = []
    _postgres(f'CREATE DATABASE "{control}"')
    with tempfile.TemporaryDirectory(prefix="directus-hosts-") as tmp:
        created = False
        envs = {}
        for host in ("a", "b"):
            data_dir = Path(tmp) / host
            data_dir.mkdir()
            envs[host] = {
                **environment(data_dir),
                "DIRECTUS_CONTROL_DATABASE_URL": f"{SERVER_URLS['postgres'].rstrip('/')}/{control}",
                "DIRECTUS_REDIS_URL": REDIS_URL,
            }
        try:
            manage(envs["a"], "migrate", "--verbosity", "0")
            project_url = database_url("postgres", f"dxt_postgres_hosts_{suffix}", tmp)
            manage(envs["a"], "createproject", key, "--database-url", project_url, "--admin-email",
                    "admin@example.com", "--admin-password", PASSWORD, "--admin-token", TOKEN)  # fmt: skip
            created = True
            storage = {
                "adapter": "s3", "bucket": "directus-test", "access_key": "testing", "secret_key": "testing",
                "region": "us-east-1", "endpoint_url": s3_endpoint, "root": f"{key}/originals",
                "thumb_root": f"{key}/generated",
            }  # fmt: skip
            manage(
                envs["a"], "shell", "-c",
                f"from apps.projects.models import Project; "
                f"Project.objects.filter(key={key!r}).update(storage={storage!r})",
            )  # fmt: skip
            servers = [Server(f"host-{host}", envs[host], Path(tmp) / host) for host in ("a", "b")]
            for server in servers:
                server.wait_ready(time.monotonic() + STARTUP_SECONDS)
            a, b = (server.base for server in servers)

            # A file uploaded through A: B serves it, and a thumbnail of it that A then serves too.
            image = _png()
            status, body = _json(_request(a, "POST", f"/{key}/files", body=_multipart("red.png", image)))
            assert status == 200, body
            private_hash = body["data"]["private_hash"]
            assert _request(b, "GET", f"/{key}/assets/{private_hash}", token=None) == (200, image)
            thumbnail = f"/{key}/assets/{private_hash}?key=directus-small-crop"
            status, made = _request(b, "GET", thumbnail, token=None)
            assert status == 200 and made[:4] == b"\x89PNG", made
            assert _request(a, "GET", thumbnail, token=None) == (200, made)
            assert not any((Path(tmp) / host / "uploads").exists() for host in ("a", "b"))

            # A collection made through A is served by B once the news reaches it.
            fields = [
                {"field": "id", "type": "integer", "datatype": "INT", "primary_key": True, "auto_increment": True},
                {"field": "title", "type": "string", "datatype": "VARCHAR", "length": 100},
            ]
            status, body = _json(
                _request(a, "POST", f"/{key}/collections", body={"collection": "notes", "fields": fields})
            )
            assert status == 200, body
            wait_for(lambda: _request(b, "GET", f"/{key}/items/notes")[0] == 200, "B serving notes", 20)
            status, body = _json(_request(b, "POST", f"/{key}/items/notes", body={"title": "from b"}))
            assert status == 200 and body["data"]["title"] == "from b", body

            # A login's token works on both hosts until a logout on one of them.
            credentials = {"email": "admin@example.com", "password": PASSWORD}
            status, body = _json(_request(a, "POST", f"/{key}/auth/authenticate", body=credentials, token=None))
            assert status == 200, body
            jwt = body["data"]["token"]
            assert _json(_request(b, "GET", f"/{key}/users/me", token=jwt))[0] == 200
            assert _request(a, "POST", f"/{key}/auth/logout", body={}, token=jwt)[0] in (200, 204)
            wait_for(lambda: _request(b, "GET", f"/{key}/users/me", token=jwt)[0] == 401, "B refusing the token", 20)
            status, body = _json(_request(b, "GET", f"/{key}/users/me", token=jwt))
            assert (status, envelope_code(body)) == (401, 101), body

            # Failed logins count across hosts: 5 per (account, address), wherever they land.
            wrong = {"email": "admin@example.com", "password": "wrong"}
            for host in (a, b, a, b, a):
                status, body = _json(_request(host, "POST", f"/{key}/auth/authenticate", body=wrong, token=None))
                assert (status, envelope_code(body)) == (404, 100), body
            status, body = _json(_request(b, "POST", f"/{key}/auth/authenticate", body=credentials, token=None))
            assert (status, envelope_code(body)) == (429, 7), body
        finally:
            for server in servers:
                server.stop()
            if created:
                manage(envs["a"], "deleteproject", key, "--drop-database")
            _postgres(f'DROP DATABASE IF EXISTS "{control}" WITH (FORCE)')
