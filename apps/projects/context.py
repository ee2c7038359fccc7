"""The project of the current request (or command), kept in a context variable."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

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
