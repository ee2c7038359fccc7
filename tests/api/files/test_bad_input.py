"""What a hostile or broken upload gets: size limits (deviation 10), empty and corrupt images,
decompression bombs, content that lies about its type, path tricks in names, and URL imports of
addresses the server must not reach (deviation 9). Nothing is stored for a refused upload."""

import base64
import io

import pytest

from apps.files.models import File
from tests.api.files.helpers import (
    allow_url_imports,
    image_bytes,
    png_bilevel,
    stored_names,
    upload,
    upload_base64,
    use_storage,
)
from tests.helpers import error_of

pytestmark = pytest.mark.engines("sqlite", "postgres")


def limits(settings, **values):
    settings.DIRECTUS = {**settings.DIRECTUS, **values}


def assert_nothing_stored(project):
    assert stored_names(project) == set()
    assert not File.objects.exists()


# -- size ---------------------------------------------------------------------------------------


def test_upload_size_limit_at_n_and_n_plus_one(admin_api, url, project, local_storage, settings):
    limits(settings, MAX_UPLOAD_SIZE=1000)
    assert upload(admin_api, url, b"x" * 1000, "n.txt").status_code == 200
    over = upload(admin_api, url, b"x" * 1001, "n1.txt")
    assert error_of(over) == (413, 601)
    assert len(stored_names(project)) == 1
    # The server keeps serving, uploads included.
    assert admin_api.get(url("files")).status_code == 200
    assert upload(admin_api, url, b"y" * 10, "after.txt").status_code == 200


def test_base64_and_url_imports_have_the_same_limit(admin_api, url, project, local_storage, settings, web_server):
    limits(settings, MAX_UPLOAD_SIZE=1000)
    assert upload_base64(admin_api, url, b"x" * 1000, "n.txt").status_code == 200
    over = upload_base64(admin_api, url, b"x" * 1001, "n1.txt")
    assert error_of(over) == (413, 601)

    allow_url_imports(settings, "127.0.0.1")
    web_server.routes["/big.png"] = (200, {"Content-Type": "image/png"}, b"\x89PNG" + b"0" * 1000)
    fetched = admin_api.post(url("files"), {"data": web_server.base() + "/big.png"}, format="json")
    assert error_of(fetched) == (413, 601)
    assert len(stored_names(project)) == 1


def test_project_limit_and_server_cap(admin_api, url, project, local_storage, settings):
    use_storage(project, {"root": f"uploads/{project.key}-cap/originals", "max_upload_size": 500})
    assert upload(admin_api, url, b"x" * 500, "a.txt").status_code == 200
    assert error_of(upload(admin_api, url, b"x" * 501, "b.txt")) == (413, 601)
    use_storage(project, {"root": f"uploads/{project.key}-cap/originals", "max_upload_size": 10**9})
    limits(settings, UPLOAD_SIZE_CAP=800)
    assert upload(admin_api, url, b"x" * 800, "c.txt").status_code == 200
    assert error_of(upload(admin_api, url, b"x" * 801, "d.txt")) == (413, 601)


# -- names ---------------------------------------------------------------------------------------


def test_base64_upload_needs_a_file_name(admin_api, url, project, local_storage):
    data = base64.b64encode(b"hello").decode()
    for body in ({"data": data}, {"data": data, "filename_download": "", "filename_disk": None}):
        response = admin_api.post(url("files"), body, format="json")
        assert error_of(response) == (422, 4), response.content
    assert_nothing_stored(project)
    for name in ("filename_download", "filename_disk"):
        response = admin_api.post(url("files"), {"data": data, name: "hello.txt"}, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["data"]["filename_download"] == "hello.txt"


# -- broken content -----------------------------------------------------------------------------


def test_empty_and_corrupt_images_are_refused(admin_api, url, project, local_storage):
    png = image_bytes(64, 64)
    jpeg = image_bytes(64, 64, "JPEG")
    for content, name in (
        (b"", "empty.png"),
        (b"\x89PNG\r\n\x1a\n" + b"garbage" * 20, "corrupt.png"),
        (png[: len(png) // 2], "truncated.png"),
        (jpeg[:200], "truncated.jpg"),
        (b"\xff\xd8\xff" + b"\x00" * 50, "corrupt.jpg"),
    ):
        response = upload(admin_api, url, content, name)
        assert error_of(response) == (422, 4), (name, response.content)
    empty_data = admin_api.post(url("files"), {"data": "", "filename_download": "a.png"}, format="json")
    assert error_of(empty_data) == (422, 4)
    not_base64 = admin_api.post(url("files"), {"data": "file:///etc/passwd", "filename_download": "a"}, format="json")
    assert error_of(not_base64) == (422, 4)
    assert_nothing_stored(project)


def test_decompression_bombs_are_stored_but_never_decoded(admin_api, url, project, local_storage):
    # Claims 10^10 pixels: Pillow refuses to even open it; kept without dimensions.
    huge = upload(admin_api, url, png_bilevel(100_000, 100_000, rows=1), "huge.png")
    assert huge.status_code == 200, huge.content
    assert huge.json()["data"]["type"] == "image/png" and huge.json()["data"]["width"] is None
    # 64 M real pixels in 8 KB: a valid image, beyond the 50 M source pixel limit.
    bomb = upload(admin_api, url, png_bilevel(8000, 8000), "bomb.png")
    assert bomb.status_code == 200 and bomb.json()["data"]["width"] == 8000
    for file in (huge.json()["data"], bomb.json()["data"]):
        response = admin_api.get(url(f"assets/{file['private_hash']}"), {"key": "thumbnail"})
        assert error_of(response) == (422, 12)


def test_source_pixel_limit_at_n_and_n_plus_one(admin_api, url, project, local_storage, settings):
    limits(settings, THUMBNAIL_MAX_PIXELS=10_000)
    at = upload(admin_api, url, image_bytes(100, 100), "at.png").json()["data"]
    over = upload(admin_api, url, image_bytes(10_001, 1), "over.png").json()["data"]
    assert admin_api.get(url(f"assets/{at['private_hash']}"), {"key": "thumbnail"}).status_code == 200
    refused = admin_api.get(url(f"assets/{over['private_hash']}"), {"key": "thumbnail"})
    assert error_of(refused) == (422, 12)


# -- lying content and names --------------------------------------------------------------------


def test_html_named_png_is_html(admin_api, api, url, project, local_storage):
    page = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
    file = upload(admin_api, url, page, "innocent.png").json()["data"]
    assert file["type"] == "text/html" and file["filename_disk"].endswith(".html")
    assert file["width"] is None and file["data"]["thumbnails"] is None
    response = api.get(url(f"assets/{file['private_hash']}"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response["Content-Disposition"].startswith("attachment")
    assert "sandbox" in response["Content-Security-Policy"] and response["X-Content-Type-Options"] == "nosniff"
    thumb = api.get(url(f"assets/{file['private_hash']}"), {"key": "thumbnail"})
    assert error_of(thumb) == (422, 12)


def test_svg_is_served_as_an_attachment(admin_api, api, url, project, local_storage):
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'
    file = upload_base64(admin_api, url, svg, "logo.svg").json()["data"]
    assert file["type"] == "image/svg+xml" and file["data"]["thumbnails"] is None
    response = api.get(url(f"assets/{file['private_hash']}"))
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Disposition"] == 'attachment; filename="logo.svg"'
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    png = upload(admin_api, url, image_bytes(), "ok.png").json()["data"]
    inline = api.get(url(f"assets/{png['private_hash']}"))
    assert inline["Content-Disposition"] == 'inline; filename="ok.png"' and "Content-Security-Policy" not in inline


def test_path_tricks_in_names_stay_inside_the_storage(admin_api, url, project, local_storage, settings):
    from tests.api.files.helpers import storage_of

    body = {
        "data": base64.b64encode(image_bytes()).decode(),
        "filename_download": "../../../etc/passwd.png",
        "filename_disk": "/etc/cron.d/evil.png",
    }
    file = admin_api.post(url("files"), body, format="json").json()["data"]
    assert file["filename_download"] == "passwd.png"
    assert "/" not in file["filename_disk"] and ".." not in file["filename_disk"]
    renamed = admin_api.patch(url(f"files/{file['id']}"), {"filename_disk": "..\\..\\outside.png"}, format="json")
    assert renamed.json()["data"][0]["filename_disk"] == "outside.png"
    hidden = admin_api.patch(url(f"files/{file['id']}"), {"filename_disk": "../.."}, format="json")
    assert error_of(hidden) == (422, 4)
    root = storage_of(project).originals.location
    assert stored_names(project) == {"outside.png"}
    assert not (settings.DATA_DIR / "outside.png").exists() and str(root).startswith(str(settings.DATA_DIR))


# -- URL imports (deviation 9) ------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:{port}/img.png",
        "http://localhost:{port}/img.png",
        "http://[::1]:{port}/img.png",
        "http://2130706433:{port}/img.png",
        "http://0.0.0.0:{port}/img.png",
        "http://10.0.0.1/img.png",
        "http://192.168.1.1/img.png",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://[::ffff:127.0.0.1]:{port}/img.png",
    ],
)
def test_url_import_refuses_internal_addresses(admin_api, url, project, local_storage, web_server, target):
    web_server.routes["/img.png"] = (200, {"Content-Type": "image/png"}, image_bytes())
    response = admin_api.post(url("files"), {"data": target.format(port=web_server.port)}, format="json")
    assert error_of(response) == (422, 4), response.content
    assert web_server.hits == []
    assert_nothing_stored(project)


def test_url_import_refuses_a_redirect_to_loopback(admin_api, url, project, local_storage, web_server, settings):
    allow_url_imports(settings, "localhost")  # the first hop is allowed by name, 127.0.0.1 is not
    web_server.routes["/img.png"] = (200, {"Content-Type": "image/png"}, image_bytes())
    web_server.routes["/go"] = (302, {"Location": web_server.base("127.0.0.1") + "/img.png"}, b"")
    web_server.routes["/loop"] = (302, {"Location": "/loop"}, b"")
    direct = admin_api.post(url("files"), {"data": web_server.base("localhost") + "/img.png"}, format="json")
    assert direct.status_code == 200, direct.content
    File.objects.all().delete()
    for name in stored_names(project):
        from tests.api.files.helpers import storage_of

        storage_of(project).delete(name)

    redirected = admin_api.post(url("files"), {"data": web_server.base("localhost") + "/go"}, format="json")
    assert error_of(redirected) == (422, 4)
    looping = admin_api.post(url("files"), {"data": web_server.base("localhost") + "/loop"}, format="json")
    assert error_of(looping) == (422, 4)
    assert web_server.hits == ["/img.png", "/go"] + ["/loop"] * 6
    assert_nothing_stored(project)


def test_url_import_is_bounded_in_time(admin_api, url, project, local_storage, settings):
    import socket
    import threading

    allow_url_imports(settings, "127.0.0.1")
    limits(settings, URL_IMPORT_TIMEOUT=1)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True)
    thread.start()
    try:
        port = listener.getsockname()[1]
        response = admin_api.post(url("files"), {"data": f"http://127.0.0.1:{port}/slow.png"}, format="json")
        assert error_of(response) == (422, 4)
    finally:
        for connection, _address in accepted:
            connection.close()
        listener.close()
    assert_nothing_stored(project)


def test_a_dripping_download_is_cut_at_the_deadline(admin_api, url, project, local_storage, settings):
    import socket
    import threading
    import time

    allow_url_imports(settings, "127.0.0.1")
    limits(settings, URL_IMPORT_TIMEOUT=1)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    stop, dripped_all = threading.Event(), threading.Event()

    def drip():
        # 300 bytes a tenth of a second apart: half a minute, far past the 1 s deadline.
        connection, _address = listener.accept()
        connection.recv(4096)
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 100000\r\n\r\n")
        with connection:
            for _ in range(300):
                if stop.is_set():
                    return
                try:
                    connection.sendall(b"x")
                except OSError:
                    return
                time.sleep(0.1)
            dripped_all.set()

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    try:
        port = listener.getsockname()[1]
        response = admin_api.post(url("files"), {"data": f"http://127.0.0.1:{port}/drip.png"}, format="json")
        # Answered while the drip still went on: the deadline, not the sender, ended the download.
        answered_mid_drip = not dripped_all.is_set()
    finally:
        stop.set()
        listener.close()
    assert error_of(response) == (422, 4)
    assert answered_mid_drip
    assert_nothing_stored(project)


def test_multipart_file_names_never_reach_the_disk(admin_api, url, project, local_storage):
    handle = io.BytesIO(image_bytes())
    handle.name = "../../../../tmp/x.png"
    response = admin_api.post(url("files"), {"file": handle}, format="multipart")
    assert response.status_code == 200
    assert response.json()["data"]["filename_download"] == "x.png"
    assert stored_names(project) == {response.json()["data"]["filename_disk"]}


class CountingBody:
    """A multipart body of `size` bytes of file content, produced as it is read."""

    def __init__(self, size: int):
        self.head = (
            b'--B\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n"
        )
        self.tail = b"\r\n--B--\r\n"
        self.length = len(self.head) + size + len(self.tail)
        self.position = 0

    def read(self, size=-1):
        if size is None or size < 0:
            size = self.length - self.position
        size = min(size, self.length - self.position)
        out = bytearray()
        while len(out) < size:
            offset = self.position + len(out)
            if offset < len(self.head):
                out += self.head[offset : offset + size - len(out)]
            elif offset < self.length - len(self.tail):
                out += b"x" * min(size - len(out), self.length - len(self.tail) - offset)
            else:
                start = offset - (self.length - len(self.tail))
                out += self.tail[start : start + size - len(out)]
        self.position += len(out)
        return bytes(out)

    def readline(self, size=-1):
        return self.read(size if size and size > 0 else 65536)


def post_streamed(api, url, body: CountingBody):
    return api.generic(
        "POST",
        url("files"),
        content_type="multipart/form-data; boundary=B",
        **{"wsgi.input": body, "CONTENT_LENGTH": str(body.length)},
    )


def test_an_oversized_upload_is_aborted_while_streaming(admin_api, url, project, local_storage, settings):
    limits(settings, MAX_UPLOAD_SIZE=100_000)
    # Within what the body may declare, but the file part passes the limit: reading stops there.
    body = CountingBody(20 * 1024 * 1024)
    response = post_streamed(admin_api, url, body)
    assert error_of(response) == (413, 601)
    assert body.position < 2 * 1024 * 1024, body.position
    # A body that declares more than the limit allows is refused before it is read.
    huge = CountingBody(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 200_000)
    response = post_streamed(admin_api, url, huge)
    assert error_of(response) == (413, 601)
    assert huge.position == 0
    assert_nothing_stored(project)
