"""exportproject / importproject: a whole project moved between engines, and archives refused."""

import hashlib
import io
import json
import shutil
import sqlite3
import tarfile
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from apps.projects import databases
from apps.projects.context import using_project
from apps.projects.models import Project
from apps.projects.registry import get_project
from apps.schema import services
from tests.api.files.helpers import body_of, image_bytes, upload
from tests.blog import admin_identity, build_blog_schema
from tests.engines import database_url, unavailable_reason

from .conftest import ADMIN_EMAIL, ADMIN_PASSWORD

ADMIN_TOKEN = "archive-admin-token"
EDITOR_EMAIL = "editor@example.com"
EDITOR_PASSWORD = "an editor's own password"
EDITOR_TOKEN = "editor-static-token"

READINGS = {
    "collection": "readings",
    "fields": [
        {"field": "id", "type": "integer", "datatype": "INT", "primary_key": True, "auto_increment": True},
        {"field": "label", "type": "string", "datatype": "VARCHAR", "length": 40},
        {"field": "ok", "type": "boolean", "datatype": "BOOLEAN", "default_value": False},
        {"field": "amount", "type": "decimal", "datatype": "DECIMAL", "length": "10,2"},
        {"field": "ratio", "type": "decimal", "datatype": "DOUBLE"},
        {"field": "big", "type": "integer", "datatype": "BIGINT", "signed": True},
        {"field": "taken_on", "type": "datetime", "datatype": "DATETIME"},
        {"field": "day", "type": "date", "datatype": "DATE"},
        {"field": "at", "type": "time", "datatype": "TIME"},
        {"field": "payload", "type": "json", "datatype": "TEXT"},
        {"field": "labels", "type": "array", "datatype": "VARCHAR", "length": 200},
        {"field": "notes", "type": "string", "datatype": "TEXT"},
    ],
}

# What the comparison reads, before and after a move.
COLLECTIONS = ("authors", "articles", "comments", "tags", "articles_tags", "readings")
PATHS = (
    *(f"items/{name}?fields=*.*&limit=-1&status=*" for name in COLLECTIONS),
    "users?limit=-1&status=*",
    "roles?limit=-1",
    "permissions?limit=-1",
    "files?limit=-1",
    "folders?limit=-1",
    "settings?limit=-1",
    "activity?limit=-1",
    "revisions?limit=-1",
    "collection_presets?limit=-1",
    "webhooks?limit=-1",
    "collections?limit=-1",
    "fields?limit=-1",
    "relations?limit=-1",
)


def admin_api() -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {ADMIN_TOKEN}")
    return client


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def ok(response):
    assert response.status_code in (200, 201, 204), (response.status_code, getattr(response, "data", None))
    return response.json()["data"] if response.status_code != 204 else None


# How each engine reports a column (`INT` with a display width of 10 on PostgreSQL, none on
# SQLite; `DOUBLE` or `FLOAT`; a boolean default `false` or `0`): live descriptions that differ
# by engine by design (docs/moving.md, "One snapshot, any engine"). They are left out of the
# /fields and /collections answers compared; the schema snapshots, in their engine-neutral
# form, are compared whole instead. So is the type of a column without a directus_fields row
# (`id` null), which is guessed from what the engine reports (MariaDB's TINYINT(1) of
# directus_migrations.breakpoint is an integer, PostgreSQL's boolean a boolean).
ENGINE_REPORTED = ("datatype", "length", "default_value")


def without_column_reports(document):
    if isinstance(document, dict):
        if "field" in document and "datatype" in document:
            reported = ENGINE_REPORTED if document.get("id") is not None else (*ENGINE_REPORTED, "type")
            return {k: v for k, v in document.items() if k not in reported}
        return {k: without_column_reports(v) for k, v in document.items()}
    if isinstance(document, list):
        return [without_column_reports(item) for item in document]
    return document


def answers(key: str) -> dict:
    client = admin_api()
    found = {path: client.get(f"/{key}/{path}").json() for path in PATHS}
    for path in ("collections?limit=-1", "fields?limit=-1"):
        found[path] = without_column_reports(found[path])
    snapshot = client.get(f"/{key}/schema/snapshot").json()["data"]
    found["snapshot"] = {k: v for k, v in snapshot.items() if k != "engine"}
    return found


def login(key: str, email: str, password: str):
    return APIClient().post(f"/{key}/auth/authenticate", {"email": email, "password": password}, format="json")


def create_blog_project(key: str, url: str) -> None:
    """A project made as `createproject` makes one, with the blog's schema."""
    call_command(
        "createproject",
        key,
        database_url=url,
        admin_email=ADMIN_EMAIL,
        admin_password=ADMIN_PASSWORD,
        admin_token=ADMIN_TOKEN,
        stdout=StringIO(),
    )
    with using_project(get_project(key)):
        build_blog_schema()


def build_source(key: str, url: str) -> dict:
    """A project with the blog's content, a role with permissions, a second user, a file."""
    create_blog_project(key, url)
    with using_project(get_project(key)):
        services.create_collection(READINGS, admin_identity())
    client = admin_api()
    at = f"/{key}/"
    role = ok(client.post(at + "roles", {"name": "Editors", "description": "Write articles"}, format="json"))
    for collection in ("articles", "authors"):
        ok(
            client.post(
                at + "permissions",
                {"role": role["id"], "collection": collection, "create": "full", "read": "mine", "update": "mine"},
                format="json",
            )
        )
    editor = ok(
        client.post(
            at + "users",
            {
                "email": EDITOR_EMAIL,
                "password": EDITOR_PASSWORD,
                "role": role["id"],
                "status": "active",
                "first_name": "Edith",
                "token": EDITOR_TOKEN,
            },
            format="json",
        )
    )
    folder = ok(client.post(at + "folders", {"name": "Pictures"}, format="json"))
    picture = image_bytes(24, 16)
    file = ok(upload(client, lambda path: at + path, picture, "sunset.png", folder=folder["id"], title="Sunset"))
    ok(client.patch(at + "settings/1", {"value": "Moved Blog"}, format="json"))
    ok(client.post(at + "webhooks", {"url": "https://hooks.example.com/x", "collection": "articles"}, format="json"))
    authors = ok(client.post(at + "items/authors", [{"name": "Ann"}, {"name": "Bob", "email": "bob@x"}], format="json"))
    tags = ok(client.post(at + "items/tags", [{"name": "red"}, {"name": "blue"}], format="json"))
    ok(
        client.post(
            at + "items/articles",
            [
                {
                    "title": "First",
                    "status": "published",
                    "body": "Ünïcode ✓ and a 'quote'",
                    "rating": -3,
                    "author": authors[0]["id"],
                    "comments": [{"text": "nice"}, {"text": "meh"}],
                    "tags": [{"tag": tags[0]["id"]}, {"tag": tags[1]["id"]}],
                },
                {"title": "Second", "author": authors[1]["id"]},
                {"title": "Gone", "status": "deleted"},
            ],
            format="json",
        )
    )
    ok(
        client.post(
            at + "items/readings",
            [
                {
                    "label": "full",
                    "ok": True,
                    "amount": "12.50",
                    "ratio": 0.125,
                    "big": 9007199254740993,
                    "taken_on": "2021-03-04 05:06:07",
                    "day": "2021-03-04",
                    "at": "23:59:58",
                    "payload": {"nested": [1, "two", None], "quote": '"'},
                    "labels": ["a", "b c"],
                    "notes": "line one\nline two",
                },
                {"label": "empty"},
            ],
            format="json",
        )
    )
    ok(client.patch(at + "items/articles/2", {"title": "Second, edited"}, format="json"))
    ok(client.delete(at + "items/tags/2"))
    return {"editor": editor, "file": file, "picture": picture}


def export(key: str, out: Path, *options: str) -> str:
    stdout = StringIO()
    call_command("exportproject", key, str(out), *options, stdout=stdout, stderr=StringIO())
    return stdout.getvalue()


def import_(key: str, archive: Path, *options: str, url: str | None = None) -> str:
    stdout = StringIO()
    if url is not None:
        options = (*options, "--database-url", url)
    call_command("importproject", key, str(archive), *options, stdout=stdout)
    return stdout.getvalue()


def remove(key: str) -> None:
    """Delete a project with its database and its stored files, as a move leaves the old place."""
    call_command("deleteproject", key, "--drop-database", stdout=StringIO())
    shutil.rmtree(Path(settings.DATA_DIR) / "uploads" / key, ignore_errors=True)


def differences(before, after, where: str = "") -> list[str]:
    """Where two JSON documents differ, as `path: before != after` lines."""
    if isinstance(before, dict) and isinstance(after, dict):
        keys = sorted(set(before) | set(after), key=str)
        return [line for k in keys for line in differences(before.get(k), after.get(k), f"{where}.{k}")]
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [
            line
            for i, (b, a) in enumerate(zip(before, after, strict=True))
            for line in differences(b, a, f"{where}[{i}]")
        ]
    return [] if before == after else [f"{where}: {before!r} != {after!r}"]


def assert_same(before: dict, after: dict) -> None:
    found = [line for path in (*PATHS, "snapshot") for line in differences(before[path], after[path], path)]
    assert not found, "\n".join(found[:40])


def moves() -> list[tuple[str, str | None]]:
    """The engines a project moves through after SQLite: those reachable here, then SQLite again
    at the default place."""
    chain = [engine for engine in ("postgres", "mariadb") if not unavailable_reason(engine)]
    return [*chain, "sqlite-default"]


def test_a_project_moves_through_every_engine_unchanged(cleanup, tmp_path):
    key, url = cleanup.names("sqlite", "move")
    made = build_source(key, url)
    old_jwt = login(key, EDITOR_EMAIL, EDITOR_PASSWORD).json()["data"]["token"]
    before = answers(key)
    assert len(before["items/articles?fields=*.*&limit=-1&status=*"]["data"]) == 3
    assert before["activity?limit=-1"]["data"] and before["revisions?limit=-1"]["data"]

    keep_secret = False
    for step, target in enumerate(moves()):
        archive = tmp_path / f"step{step}.tar.gz"
        out = export(key, archive, *(["--keep-secret"] if keep_secret else []))
        assert f"Exported project '{key}'" in out
        remove(key)
        if target == "sqlite-default":
            cleanup.urls.append(f"sqlite:///{Path(settings.DATA_DIR) / 'projects' / f'{key}.sqlite3'}")
            import_(key, archive, *(["--keep-secret"] if keep_secret else []))
            assert Project.objects.get(key=key).database_url.startswith("sqlite:///")
        else:
            target_url = database_url(target, f"dxt_{target}_move_{key.rsplit('-', 1)[-1]}", settings.DATA_DIR)
            cleanup.urls.append(target_url)
            import_(key, archive, *(["--keep-secret"] if keep_secret else []), url=target_url)
            assert databases.engine_of(Project.objects.get(key=key).database_url) == databases.engine_of(
                databases.normalise_url(target_url)
            )

        assert_same(before, answers(key))

        # Tokens: static ones are on the user rows; a JWT of the old project only with its secret.
        me = bearer(EDITOR_TOKEN).get(f"/{key}/users/me")
        assert me.status_code == 200 and me.json()["data"]["email"] == EDITOR_EMAIL
        old = bearer(old_jwt).get(f"/{key}/users/me")
        assert old.status_code == (200 if keep_secret else 401), (target, keep_secret)
        # Old passwords; the stored original is served byte for byte.
        assert login(key, ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 200
        logged_in = login(key, EDITOR_EMAIL, EDITOR_PASSWORD)
        assert logged_in.status_code == 200
        asset = admin_api().get(f"/{key}/assets/{made['file']['private_hash']}")
        assert asset.status_code == 200 and body_of(asset) == made["picture"]
        # New rows get keys past the moved ones (the sequences moved on PostgreSQL).
        created = ok(admin_api().post(f"/{key}/items/authors", {"name": "Cy"}, format="json"))
        assert created["id"] == 3
        ok(admin_api().delete(f"/{key}/items/authors/3"))
        user = ok(
            admin_api().post(
                f"/{key}/users", {"email": f"u{step}@example.com", "status": "active", "role": 1}, format="json"
            )
        )
        assert user["id"] == 3 + step

        # The next move starts from here: the logins and the new tag are part of it.
        old_jwt = logged_in.json()["data"]["token"]
        before = answers(key)
        keep_secret = not keep_secret


# -- refused archives ---------------------------------------------------------------------------


@pytest.fixture
def archive(cleanup, tmp_path):
    """A small project's archive (the project itself deleted again)."""
    key, url = cleanup.names("sqlite", "arc")
    create_blog_project(key, url)
    ok(admin_api().post(f"/{key}/items/authors", {"name": "Ann"}, format="json"))
    ok(upload(admin_api(), lambda path: f"/{key}/{path}", image_bytes(8, 8), "dot.png"))
    path = tmp_path / "project.tar.gz"
    export(key, path, "--keep-secret")
    remove(key)
    return path


def members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as tar:
        return {info.name: tar.extractfile(info).read() for info in tar}


def rewrite(path: Path, contents: dict[str, bytes], target: Path) -> Path:
    with tarfile.open(target, "w:gz") as tar:
        for name, data in contents.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return target


def with_manifest(contents: dict[str, bytes], **changes) -> dict[str, bytes]:
    manifest = json.loads(contents["manifest.json"])
    manifest.update(changes)
    return {**contents, "manifest.json": json.dumps(manifest).encode()}


def refused(cleanup, archive_path: Path, *options: str) -> tuple[str, str]:
    """The error importing `archive_path` answers; nothing of the project may be left."""
    key, url = cleanup.names("sqlite", "bad")
    with pytest.raises(CommandError) as raised:
        import_(key, archive_path, *options, url=url)
    assert not Project.objects.filter(key=key).exists()
    assert get_project(key) is None
    path = Path(url.removeprefix("sqlite:///"))
    for suffix in ("", "-wal", "-shm", "-journal"):
        assert not Path(f"{path}{suffix}").exists(), suffix
    assert not any((Path(settings.DATA_DIR) / "uploads" / key).rglob("*.png"))
    return key, str(raised.value)


def test_the_archive_lists_every_member_with_its_checksum(archive):
    contents = members(archive)
    assert next(iter(contents)) == "manifest.json"
    manifest = json.loads(contents["manifest.json"])
    assert manifest["format"] == 1 and manifest["engine"] == "sqlite" and manifest["created"]
    assert set(manifest["files"]) == set(contents) - {"manifest.json"}
    assert {"schema.json", "secret.json", "system/directus_users.jsonl", "items/authors.jsonl"} <= set(contents)
    assert sum(name.startswith("files/") for name in contents) == 1
    users = [json.loads(line) for line in contents["system/directus_users.jsonl"].splitlines()]
    assert users[0]["email"] == ADMIN_EMAIL and users[0]["password"].startswith("$2y$")


def test_the_secret_stays_out_unless_asked_for(cleanup, tmp_path):
    key, url = cleanup.names("sqlite", "sec")
    call_command(
        "createproject",
        key,
        database_url=url,
        admin_email=ADMIN_EMAIL,
        admin_password=ADMIN_PASSWORD,
        stdout=StringIO(),
    )
    project = Project.objects.get(key=key)
    export(key, tmp_path / "plain.tar.gz")
    export(key, tmp_path / "keyed.tar.gz", "--keep-secret")
    plain = b"".join(members(tmp_path / "plain.tar.gz").values())
    keyed = members(tmp_path / "keyed.tar.gz")
    assert project.secret_key.encode() not in plain and "secret.json" not in members(tmp_path / "plain.tar.gz")
    assert json.loads(keyed["secret.json"])["secret_key"] == project.secret_key
    # --keep-secret on import needs a secret in the archive.
    _, message = refused(cleanup, tmp_path / "plain.tar.gz", "--keep-secret")
    assert "no secret" in message


def test_a_truncated_archive_is_refused(cleanup, archive, tmp_path):
    data = archive.read_bytes()
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(data[: len(data) * 2 // 3])
    _, message = refused(cleanup, cut)
    assert "truncated or damaged" in message


def test_a_changed_member_is_refused(cleanup, archive, tmp_path):
    contents = members(archive)
    users = contents["system/directus_users.jsonl"].replace(b'"role":1', b'"role":2', 1)
    assert users != contents["system/directus_users.jsonl"]
    _, message = refused(cleanup, rewrite(archive, {**contents, "system/directus_users.jsonl": users}, tmp_path / "x"))
    assert "system/directus_users.jsonl" in message and "checksum" in message


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"format": 2}, "newer than this server reads"),
        ({"format": "one"}, "no format version"),
        ({"format": 0}, "does not know"),
    ],
)
def test_an_unknown_format_is_refused(cleanup, archive, tmp_path, changes, words):
    bad = rewrite(archive, with_manifest(members(archive), **changes), tmp_path / "x.tar.gz")
    _, message = refused(cleanup, bad)
    assert words in message


def test_missing_and_unlisted_members_are_refused(cleanup, archive, tmp_path):
    contents = members(archive)
    without = {name: data for name, data in contents.items() if name != "items/authors.jsonl"}
    _, message = refused(cleanup, rewrite(archive, without, tmp_path / "a.tar.gz"))
    assert "lacks members" in message and "items/authors.jsonl" in message

    manifest = json.loads(contents["manifest.json"])
    del manifest["files"]["system/directus_roles.jsonl"]
    unlisted = {**contents, "manifest.json": json.dumps(manifest).encode()}
    _, message = refused(cleanup, rewrite(archive, unlisted, tmp_path / "b.tar.gz"))
    assert "does not list" in message and "system/directus_roles.jsonl" in message

    manifest = json.loads(contents["manifest.json"])
    del manifest["files"]["system/directus_roles.jsonl"]
    contents_without_roles = {n: d for n, d in contents.items() if n != "system/directus_roles.jsonl"}
    gone = {**contents_without_roles, "manifest.json": json.dumps(manifest).encode()}
    _, message = refused(cleanup, rewrite(archive, gone, tmp_path / "c.tar.gz"))
    assert "every archive has" in message and "directus_roles" in message

    _, message = refused(cleanup, rewrite(archive, {"schema.json": b"{}"}, tmp_path / "d.tar.gz"))
    assert "not a project archive" in message


def test_a_row_that_does_not_insert_removes_the_project_again(cleanup, archive, tmp_path):
    contents = members(archive)
    manifest = json.loads(contents["manifest.json"])
    # Two authors with one key: the second does not insert, after the file and rows before it.
    authors = contents["items/authors.jsonl"]
    twice = authors + authors
    manifest["files"]["items/authors.jsonl"] = hashlib.sha256(twice).hexdigest()
    changed = {**contents, "items/authors.jsonl": twice, "manifest.json": json.dumps(manifest).encode()}
    _, message = refused(cleanup, rewrite(archive, changed, tmp_path / "x.tar.gz"))
    assert "items/authors.jsonl" in message and "does not insert" in message


def test_a_failed_import_into_an_existing_database_leaves_it_empty(cleanup, archive, tmp_path):
    contents = members(archive)
    manifest = json.loads(contents["manifest.json"])
    twice = contents["items/authors.jsonl"] * 2
    manifest["files"]["items/authors.jsonl"] = hashlib.sha256(twice).hexdigest()
    changed = {**contents, "items/authors.jsonl": twice, "manifest.json": json.dumps(manifest).encode()}
    key, url = cleanup.names("sqlite", "kept")
    path = Path(url.removeprefix("sqlite:///"))
    path.parent.mkdir(parents=True, exist_ok=True)
    sqlite3.connect(path).close()  # the operator's own (empty) database
    with pytest.raises(CommandError, match="does not insert"):
        import_(key, rewrite(archive, changed, tmp_path / "x.tar.gz"), url=url)
    assert not Project.objects.filter(key=key).exists()
    assert path.exists()
    with sqlite3.connect(path) as database:
        assert (
            database.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            ).fetchall()
            == []
        )


def test_an_existing_key_is_refused_before_anything(cleanup, archive):
    key, url = cleanup.names("sqlite", "taken")
    call_command(
        "createproject",
        key,
        database_url=url,
        admin_email=ADMIN_EMAIL,
        admin_password=ADMIN_PASSWORD,
        stdout=StringIO(),
    )
    database = Path(url.removeprefix("sqlite:///")).read_bytes()
    with pytest.raises(CommandError, match="already exists"):
        import_(key, archive)
    assert Path(url.removeprefix("sqlite:///")).read_bytes() == database


def test_unknown_project_and_missing_archive(cleanup, tmp_path):
    with pytest.raises(CommandError, match="Unknown project"):
        export("nope", tmp_path / "x.tar.gz")
    key, _ = cleanup.names("sqlite", "none")
    with pytest.raises(CommandError, match="No archive"):
        import_(key, tmp_path / "missing.tar.gz")


def test_a_project_imported_again_with_its_secret_and_url_is_another_instance(cleanup, tmp_path):
    """What workers keep of a project (connections, schema, statements) belongs to one instance:
    an import over a deleted project of the same key, secret and database URL must be another."""
    key, url = cleanup.names("sqlite", "again")
    call_command(
        "createproject",
        key,
        database_url=url,
        admin_email=ADMIN_EMAIL,
        admin_password=ADMIN_PASSWORD,
        stdout=StringIO(),
    )
    before = get_project(key)
    export(key, tmp_path / "a.tar.gz", "--keep-secret")
    remove(key)
    import_(key, tmp_path / "a.tar.gz", "--keep-secret", url=url)
    after = get_project(key)
    assert (after.database_url, after.secret_key, after.public_key) == (
        before.database_url,
        before.secret_key,
        before.public_key,
    )
    assert after.instance != before.instance
