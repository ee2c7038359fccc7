"""Thumbnails under parallel first requests: rendered once per host, and never read half written.
Real threads on the real local storage (each thread stands for a worker serving a request)."""

import threading
import time

from apps.files.storage import project_storage

PATH = "w64,h64,fcrop,q80/race.jpg"


def run_all(count: int, target) -> None:
    threads = [threading.Thread(target=target) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_parallel_first_requests_render_once_and_all_get_the_whole_thumbnail(project):
    storage = project_storage(project)
    storage.generated.delete(PATH)
    content = bytes(range(256)) * 4096  # 1 MiB
    renders, served, failures = [], [], []
    start = threading.Barrier(24)

    def render() -> bytes:
        renders.append(1)
        time.sleep(0.05)  # a render takes a while: the other requests arrive meanwhile
        return content

    def request() -> None:
        try:
            start.wait()
            found = storage.thumbnail(PATH, render)
            if not isinstance(found, bytes):
                with found.handle:
                    found = found.handle.read()
            served.append(found)
        except Exception as exc:  # pragma: no cover - reported below
            failures.append(exc)

    run_all(24, request)
    assert not failures
    assert len(renders) == 1
    assert len(served) == 24 and all(body == content for body in served)
    assert storage.open_thumbnail(PATH).handle.read() == content


def test_a_thumbnail_stored_again_is_never_read_half_written(project):
    storage = project_storage(project)
    versions = [bytes([value]) * (2 * 1024 * 1024) for value in (1, 2)]
    storage.save_thumbnail(PATH, versions[0])
    done = threading.Event()
    torn = []

    def write() -> None:
        for round_ in range(30):
            storage.save_thumbnail(PATH, versions[round_ % 2])
        done.set()

    def read() -> None:
        while not done.is_set():
            stream = storage.open_thumbnail(PATH)
            with stream.handle:
                body = stream.handle.read()
            if body not in versions:
                torn.append(len(body))

    readers = [threading.Thread(target=read) for _ in range(3)]
    for reader in readers:
        reader.start()
    write()
    for reader in readers:
        reader.join()
    assert torn == []
    leftovers = [name for name in storage.generated.listdir(PATH.split("/")[0])[1] if name.startswith(".partial")]
    assert leftovers == []
