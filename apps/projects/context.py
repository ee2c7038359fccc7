"""The project of the current request (or command), kept in a context variable."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from apps.core.local import continued, memo

from .registry import ProjectConfig, ensure_connection

_current: ContextVar[ProjectConfig | None] = ContextVar("directus_project", default=None)


class NoProjectSelected(RuntimeError):
    """A project model was used outside any project context."""


def current_project() -> ProjectConfig | None:
    return _current.get()


def require_project() -> ProjectConfig:
    project = _current.get()
    if project is None:
        raise NoProjectSelected("No project is selected; wrap the code in using_project(...).")
    return project


@contextmanager
def using_project(project: ProjectConfig) -> Iterator[ProjectConfig]:
    """Select a project for the enclosed block and restore the previous one on exit."""
    ensure_connection(project)
    token = _current.set(project)
    try:
        yield project
    finally:
        _current.reset(token)


def within_request(chunks: Iterable) -> Iterator:
    """`chunks` for a streaming response, each one made under the current request's project and
    memo. The body of a streaming response is read after the view has returned and the
    middleware has left the project (the database router needs it) and the request's memo (the
    schema check and the caller's access, made once per request); this brings both back while
    each chunk is made, and only then."""
    return _within(require_project(), memo(), iter(chunks))  # taken now, while the view runs


def _within(project: ProjectConfig, request_memo: dict | None, chunks: Iterator) -> Iterator:
    try:
        while True:
            with using_project(project), continued(request_memo):
                try:
                    chunk = next(chunks)
                except StopIteration:
                    return
            yield chunk
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:  # the client went away: the chunks' generator ends too
            with using_project(project), continued(request_memo):
                close()
