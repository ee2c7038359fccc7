"""A memo that lives for one request (or one `request_local()` block), kept in a context variable.

Things checked "once per request" (the schema version, the caller's permissions) are stored here
instead of on module globals, so concurrent requests never see each other's values."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_memo: ContextVar[dict | None] = ContextVar("directus_request_memo", default=None)


@contextmanager
def request_local() -> Iterator[dict]:
    token = _memo.set({})
    try:
        yield _memo.get()
    finally:
        _memo.reset(token)


def memo() -> dict | None:
    """The current request's memo, or None outside a request."""
    return _memo.get()


@contextmanager
def continued(request_memo: dict | None) -> Iterator[dict | None]:
    """The block runs with a memo taken earlier from `memo()`: a streaming response's body is
    read after its request's `request_local()` block has ended."""
    token = _memo.set(request_memo)
    try:
        yield request_memo
    finally:
        _memo.reset(token)
