"""manage.py schema_snapshot, schema_diff and schema_apply."""

import io
import json

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.snapshots.snapshot import take_snapshot


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


class Terminal(io.StringIO):
    """Standard input that is a terminal, answering the question with `answer`."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def wider_title(blog, tmp_path):
    """The blog's snapshot file with a longer article title."""
    document = take_snapshot()
    title = next(
        f
        for c in document["collections"]
        if c["collection"] == "articles"
        for f in c["fields"]
        if f["field"] == "title"
    )
    title["length"] = 150
    path = tmp_path / "wider.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def title_length() -> int:
    articles = next(c for c in take_snapshot()["collections"] if c["collection"] == "articles")
    return next(f for f in articles["fields"] if f["field"] == "title")["length"]


def test_schema_snapshot_writes_yaml_to_standard_output_or_a_file(blog, tmp_path):
    key = blog.key
    assert yaml.safe_load(run("schema_snapshot", key)) == take_snapshot()
    assert "Wrote" in run("schema_snapshot", key, "-o", str(tmp_path / "s.json"))
    assert json.loads((tmp_path / "s.json").read_text()) == take_snapshot()
    run("schema_snapshot", key, "-o", str(tmp_path / "s.txt"), "--format", "json")
    assert json.loads((tmp_path / "s.txt").read_text()) == take_snapshot()


def test_an_unknown_project_is_a_command_error(project):
    with pytest.raises(CommandError, match="Unknown project 'nope'"):
        run("schema_snapshot", "nope")


def test_schema_diff_prints_the_changes_and_applies_nothing(blog, wider_title):
    assert run("schema_diff", blog.key, str(wider_title)) == "~ field articles.title: length 100 -> 150\n"
    assert title_length() == 100


def test_schema_apply_asks_first_and_applies_once(blog, wider_title):
    key = blog.key
    with pytest.raises(CommandError, match="--yes"):
        run("schema_apply", key, str(wider_title), stdin=io.StringIO("y\n"))  # no terminal to ask on
    with pytest.raises(CommandError, match="Nothing was applied"):
        run("schema_apply", key, str(wider_title), stdin=Terminal("n\n"))
    out = run("schema_apply", key, str(wider_title), "--dry-run")
    assert "length 100 -> 150" in out and "Dry run" in out
    assert title_length() == 100

    out = run("schema_apply", key, str(wider_title), stdin=Terminal("y\n"))
    assert "Apply these 1 change(s)" in out and "Applied 1 change(s)" in out
    assert title_length() == 150
    assert run("schema_apply", key, str(wider_title), "--yes") == "No changes.\n"


def test_schema_apply_refuses_drops_of_values_unless_allowed(blog, schema_admin_api, schema_url, tmp_path):
    article = schema_admin_api.post(schema_url("items/articles"), {"title": "Hi"}, format="json").json()["data"]
    schema_admin_api.post(schema_url("items/comments"), {"text": "First", "article": article["id"]}, format="json")
    document = take_snapshot()
    document["collections"] = [c for c in document["collections"] if c["collection"] != "comments"]
    document["relations"] = [r for r in document["relations"] if r["collection_many"] != "comments"]
    path = tmp_path / "fewer.json"
    path.write_text(json.dumps(document))
    with pytest.raises(CommandError, match='collection "comments" would lose'):
        run("schema_apply", blog.key, str(path), "--yes")
    assert "comments" in {c["collection"] for c in take_snapshot()["collections"]}
    out = run("schema_apply", blog.key, str(path), "--yes", "--allow-drops")
    assert "- collection comments" in out
    assert "comments" not in {c["collection"] for c in take_snapshot()["collections"]}


def test_a_bad_snapshot_file_is_a_command_error(blog, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("version: 2\ncollections: []\n")
    with pytest.raises(CommandError, match="version: 2 is newer"):
        run("schema_apply", blog.key, str(path), "--yes")
    path.write_text("collections: [\n")
    with pytest.raises(CommandError, match=r"bad\.yaml: The snapshot is not readable"):
        run("schema_diff", blog.key, str(path))
    with pytest.raises(CommandError, match="Cannot read"):
        run("schema_diff", blog.key, str(tmp_path / "missing.yaml"))
