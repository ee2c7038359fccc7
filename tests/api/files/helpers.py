"""Shared by the files, assets and folders tests: content generators, upload helpers, the S3
server (moto in server mode on loopback: real HTTP, no mocked client) and storage selection."""

import base64
import io
import struct
import threading
import uuid
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

from apps.files.storage import project_storage
from apps.projects.models import Project
from apps.projects.registry import forget_project, get_project

BUCKET = "directus-test"
S3_OPTIONS = {
    "adapter": "s3",
    "bucket": BUCKET,
    "access_key": "testing",
    "secret_key": "testing",
    "region": "us-east-1",
}


# -- content ------------------------------------------------------------------------------------


def image_bytes(width=40, height=30, fmt="PNG", color=(200, 30, 30), mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), color).save(buffer, fmt)
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bilevel(width: int, height: int, *, rows: int | None = None) -> bytes:
    """A valid 1-bit PNG of any size, built without allocating its pixels (a decompression bomb:
    kilobytes on disk, `width * height` pixels decoded). `rows` truncates the image data."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height if rows is None else rows))
    data += compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def decode_image(response) -> Image.Image:
    return Image.open(io.BytesIO(body_of(response)))


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# -- requests -----------------------------------------------------------------------------------


def upload(api, url, content: bytes, name: str = "photo.png", **fields):
    handle = io.BytesIO(content)
    handle.name = name
    return api.post(url("files"), {"file": handle, **fields}, format="multipart")


def upload_base64(api, url, content: bytes, name: str = "photo.png", **fields):
    body = {"data": base64.b64encode(content).decode(), "filename_download": name, **fields}
    return api.post(url("files"), body, format="json")


# -- storage ------------------------------------------------------------------------------------


def storage_of(project):
    return project_storage(get_project(project.key))


def stored_names(project) -> set[str]:
    storage = storage_of(project)
    try:
        return set(storage.originals.listdir("")[1])
    except FileNotFoundError:
        return set()


def thumbnail_paths(project) -> set[str]:
    storage = storage_of(project)
    try:
        directories = storage.generated.listdir("")[0]
    except FileNotFoundError:
        return set()
    return {f"{directory}/{name}" for directory in directories for name in storage.generated.listdir(directory)[1]}


def use_storage(project, options: dict) -> None:
    """Point the project's registry row at other storage options (rolled back with the test)."""
    Project.objects.using("default").filter(key=project.key).update(storage=options)
    forget_project(project.key)


@pytest.fixture(scope="session")
def s3_endpoint():
    """An S3-compatible server on loopback for the session, with the test bucket."""
    import logging

    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


@pytest.fixture(params=["local", "s3"])
def storage(request, project):
    """Each test using it runs on local storage and on S3; yields the adapter name."""
    if request.param == "s3":
        endpoint = request.getfixturevalue("s3_endpoint")
        # A root per test keeps listings (and so the assertions about them) to this test's files.
        root = f"{project.key}-{uuid.uuid4().hex[:8]}"
        use_storage(
            project,
            {**S3_OPTIONS, "endpoint_url": endpoint, "root": f"{root}/originals", "thumb_root": f"{root}/generated"},
        )
    else:
        root = project.key + "-" + uuid.uuid4().hex[:8]
        use_storage(project, {"root": f"uploads/{root}/originals", "thumb_root": f"uploads/{root}/generated"})
    yield request.param
    forget_project(project.key)


@pytest.fixture
def local_storage(project):
    """Local storage in folders of this test only."""
    root = project.key + "-" + uuid.uuid4().hex[:8]
    use_storage(project, {"root": f"uploads/{root}/originals", "thumb_root": f"uploads/{root}/generated"})
    yield
    forget_project(project.key)


# -- a tiny web server for URL imports ----------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    site: "WebServer"

    def do_GET(self):
        self.site.hits.append(self.path)
        route = self.site.routes.get(self.path)
        if route is None:
            self.send_response(404)
            self.end_headers()
            return
        status, headers, body = route
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class WebServer:
    """An HTTP server on 127.0.0.1 serving `routes` ({path: (status, headers, body)}) and
    recording the paths it was asked for in `hits`."""

    def __init__(self):
        self.routes: dict = {}
        self.hits: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (_Handler,), {"site": self}))
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def base(self, host="127.0.0.1") -> str:
        return f"http://{host}:{self.port}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def web_server():
    server = WebServer()
    yield server
    server.close()


def allow_url_imports(settings, *entries):
    settings.DIRECTUS = {**settings.DIRECTUS, "URL_IMPORT_ALLOWLIST": list(entries)}
