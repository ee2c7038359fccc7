"""Things built from one version of a project's schema (GraphQL schemas, OpenAPI documents),
kept per (project, schema version, what else the key holds).

Built things are never patched: a newer schema version builds anew, and storing it drops the
project's older versions (and everything of an earlier instance of the project key). Beyond
`size()` entries the least recently used one goes. Written here rather than with
functools.lru_cache because eviction is by project and version, not only by age."""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable


class VersionedCache:
    def __init__(self, size: Callable[[], int]):
        self._size = size
        self._entries: OrderedDict[tuple, object] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_build(self, project, version: int | None, key: tuple[Hashable, ...], build: Callable[[], object]):
        """The entry for (project, version, *key), built by `build()` (outside the lock) if absent."""
        full_key = (project.key, project.instance, version, *key)
        with self._lock:
            found = self._entries.get(full_key)
            if found is not None:
                self._entries.move_to_end(full_key)
                return found
        built = build()
        with self._lock:
            stale = [
                k
                for k in self._entries
                if k[0] == project.key and (k[1] != project.instance or (k[2] or 0) < (version or 0))
            ]
            for other in stale:
                del self._entries[other]
            self._entries[full_key] = built
            while len(self._entries) > max(1, self._size()):
                self._entries.popitem(last=False)
        return built

    def keys(self) -> list[tuple]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
