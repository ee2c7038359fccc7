"""The contract of every collection route, for every caller of the matrix (callers.py) and every
operation: list, get, revisions, create, update and delete. Each answer is checked for its status
and error code (routes.py says which), and for what it holds: the rows listed (the owner-only
caller's own rows only), no hidden field, revisions only of rows the caller may read and without
the fields it may not read; and a refusal writes nothing.

The world (world.py) is built once per engine; every test runs in transactions rolled back after
it."""

import pytest

from apps.activity.models import Activity
from apps.revisions.models import Revision
from apps.schema.cache import project_schema
from tests.helpers import assert_error

from .callers import CALLERS
from .routes import NOT_FOUND, OK, ROUTES, Answer


def cases(operation: str) -> list:
    return [
        pytest.param(route, caller, id=f"{route.name}-{caller.name}")
        for route in ROUTES
        if operation in route.operations
        for caller in CALLERS
    ]


# -- reads ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("route, caller", cases("list"))
def test_list(contract, route, caller):
    caller.grant(contract, route)
    response = caller.client(contract).get(contract.url(route.path), {"limit": -1})
    if not check_answer(response, route.answer(caller.name, "list")):
        return
    rows = response.json()["data"]
    ours = {key: kind for kind, key in contract.rows[route.name].items()}
    listed = {ours[row["id"]] for row in rows if row["id"] in ours}
    readable = {kind for kind in ours.values() if route.answer(caller.name, "get", kind).ok}
    assert listed == readable, rows
    if route.name in contract.unreadable:
        assert (contract.unreadable[route.name] in {row["id"] for row in rows}) == caller.is_admin, rows
    for row in rows:
        check_fields(route, caller, row, own_row=False)


@pytest.mark.parametrize("route, caller", cases("get"))
def test_get(contract, route, caller):
    caller.grant(contract, route)
    client = caller.client(contract)
    for kind, key in contract.rows[route.name].items():
        response = client.get(contract.url(f"{route.path}/{key}"))
        if check_answer(response, route.answer(caller.name, "get", kind), kind):
            row = response.json()["data"]
            assert row["id"] == key
            check_fields(route, caller, row, own_row=key == caller.user_id(contract))
    if route.name in contract.unreadable:
        response = client.get(contract.url(f"{route.path}/{contract.unreadable[route.name]}"))
        check_answer(response, OK if caller.is_admin else NOT_FOUND, "unreadable")


@pytest.mark.parametrize("route, caller", cases("revisions"))
def test_revisions(contract, route, caller):
    caller.grant(contract, route)
    client = caller.client(contract)
    for kind, key in contract.rows[route.name].items():
        response = client.get(contract.url(route.revisions.format(key=key)))
        if not check_answer(response, route.answer(caller.name, "revisions", kind), kind):
            continue
        revisions = response.json()["data"]
        assert bool(revisions) == route.keeps_history, revisions
        for revision in revisions:
            assert (revision["collection"], revision["item"]) == (route.collection, str(key))
            check_snapshot(route, caller, revision, own_row=key == caller.user_id(contract))


# -- writes -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("route, caller", cases("create"))
def test_create(contract, route, caller):
    caller.grant(contract, route)
    before = counts(route)
    payload = route.payload(contract)
    response = caller.client(contract).post(contract.url(route.write_path or route.path), payload, format="json")
    expected = route.answer(caller.name, "create")
    has_data = check_answer(response, expected)
    created = table(route).filter(**route.created)
    if not expected.ok:
        assert counts(route) == before and not created.exists()
        return
    assert created.count() == 1
    if has_data:
        row = response.json()["data"]
        check_fields(route, caller, row, own_row=False)
        assert {name: row[name] for name in route.created} == route.created


@pytest.mark.parametrize("route, caller", cases("update"))
def test_update(contract, route, caller):
    caller.grant(contract, route)
    client = caller.client(contract)
    for kind, key in contract.rows[route.name].items():
        before, stored = counts(route), stored_row(route, key)
        response = client.patch(contract.url(route.row_path(key)), route.update, format="json")
        expected = route.answer(caller.name, "update", kind)
        has_data = check_answer(response, expected, kind)
        if not expected.ok:
            assert (counts(route), stored_row(route, key)) == (before, stored), kind
            continue
        assert {name: stored_row(route, key)[name] for name in route.update} == route.update
        if has_data:
            data = response.json()["data"]
            row = data[0] if isinstance(data, list) else data  # files.md: a one-element array
            assert {name: row[name] for name in route.update} == route.update
            check_fields(route, caller, row, own_row=key == caller.user_id(contract))


@pytest.mark.parametrize("route, caller", cases("delete"))
def test_delete(contract, route, caller):
    caller.grant(contract, route)
    client = caller.client(contract)
    for kind, key in contract.rows[route.name].items():
        before, stored = counts(route), stored_row(route, key)
        response = client.delete(contract.url(route.row_path(key)))
        expected = route.answer(caller.name, "delete", kind)
        check_answer(response, expected, kind)
        if not expected.ok:
            assert (counts(route), stored_row(route, key)) == (before, stored), kind
            continue
        assert response.content == b""
        if route.deleted_mark:
            assert stored_row(route, key)[route.deleted_mark] is not None
        else:
            assert stored_row(route, key) is None


@pytest.mark.parametrize(
    "route, guarded, caller",
    [
        pytest.param(route, guarded, caller, id=f"{route.name}-{guarded.name}-{caller.name}")
        for route in ROUTES
        for guarded in route.guarded
        for caller in CALLERS
    ],
)
def test_guarded_writes(contract, route, guarded, caller):
    caller.grant(contract, route)
    client = caller.client(contract)
    payload = guarded.payload(contract) if callable(guarded.payload) else dict(guarded.payload)
    key = contract.rows[route.name]["owned"]
    before, stored = counts(route), stored_row(route, key)
    if guarded.operation == "create":
        response = client.post(contract.url(route.write_path or route.path), payload, format="json")
    else:
        response = client.patch(contract.url(route.row_path(key)), payload, format="json")
    expected = guarded.answers.get(caller.name) or route.answer(caller.name, guarded.operation, "owned")
    check_answer(response, expected)
    if not expected.ok:
        assert (counts(route), stored_row(route, key)) == (before, stored)
    elif guarded.operation == "create":
        assert counts(route)[0] == before[0] + 1
    else:
        after = stored_row(route, key)
        assert {name: after[name] for name in payload if name not in guarded.ignored} == {
            name: value for name, value in payload.items() if name not in guarded.ignored
        }
        assert {name: after[name] for name in guarded.ignored} == {name: stored[name] for name in guarded.ignored}


# -- what an answer holds -------------------------------------------------------------------------


def check_answer(response, expected: Answer, row: str | None = None) -> bool:
    """Check the status (and the error, in its envelope); True when the answer holds data."""
    if expected.ok:
        assert response.status_code == expected.status, (row, response.status_code, response.content)
    else:
        assert_error(response, expected.status, expected.code)
    return expected.status == 200


def check_fields(route, caller, row: dict, *, own_row: bool) -> None:
    """No field the caller may not read: the blacklisted ones, users' private columns (only to
    admins and, on single reads, to the user themself) and what no answer ever holds."""
    fields = set(row)
    assert not fields & route.never, row
    assert set(route.hidden) & fields == (set() if caller.blacklists else set(route.hidden)), row
    if route.private and not (caller.is_admin or own_row):
        assert not fields & route.private, row
    if route.recorded:  # the route's rows are revisions
        check_snapshot(route, caller, row, own_row=False)


def check_snapshot(route, caller, revision: dict, *, own_row: bool) -> None:
    """A revision holds of its item only what the caller may read of it (deviation 19), and
    never a secret (deviation 15)."""
    if revision.get("collection") != route.records:
        return  # a revision of another collection, which follows that collection's rules
    hidden = set(route.snapshot_hidden or route.hidden)
    for name in ("data", "delta"):
        values = set(revision.get(name) or {})
        assert not values & route.secret, revision
        if caller.blacklists:
            assert not values & hidden, revision
        if route.private and not (caller.is_admin or own_row):
            assert not values & route.private, revision
    if not caller.blacklists and "data" in revision:
        assert hidden <= set(revision["data"]), revision


def table(route):
    return project_schema().model(route.collection).objects.all()


def stored_row(route, key) -> dict | None:
    return table(route).filter(pk=key).values().first()


def counts(route) -> tuple[int, int, int]:
    """Rows of the route's table, activity rows and revisions: what a refusal must not change."""
    return table(route).count(), Activity.objects.count(), Revision.objects.count()
