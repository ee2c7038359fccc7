"""A snapshot applied to an empty project gives the same snapshot there, on every engine and
from one engine to another; applied again it changes nothing."""

from apps.projects.context import using_project
from apps.snapshots.apply import OPERATOR, apply_snapshot
from apps.snapshots.snapshot import take_snapshot


def without_engine(document: dict) -> dict:
    return {key: value for key, value in document.items() if key != "engine"}


def test_a_snapshot_applied_to_an_empty_project_is_taken_back_unchanged(blog, target):
    source = take_snapshot()
    with using_project(target):
        changes = apply_snapshot(source, OPERATOR)
        taken = take_snapshot()
        again = apply_snapshot(source, OPERATOR)
    assert [change.line() for change in changes][:5] == [
        "+ collection articles (10 fields)",
        "+ collection articles_tags (3 fields)",
        "+ collection authors (4 fields)",
        "+ collection comments (3 fields)",
        "+ collection tags (2 fields)",
    ]
    assert taken == source
    assert again == []
