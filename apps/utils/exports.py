"""Items written out as a file (`GET /:project/utils/export/:collection`), a page at a time.

JSON: one array of the items exactly as `GET /items/:collection` gives them (no envelope), so the
file can be sent back to `POST /utils/import/:collection` or `POST /items/:collection`.

CSV (RFC 4180, UTF-8, CRLF line ends): a header row of the items' keys, then one row per item.
An empty cell is null; booleans are `true`/`false`; objects and arrays (nested relations, JSON
and array fields) are written as JSON text in their cell. Nested objects stay whole in one cell
rather than being spread over `author.name` columns: their keys differ from row to row (a null
relation has none), and a cell of JSON goes back through an import unchanged."""

import csv
import io
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

from apps.core import errors
from apps.core.renderers import DirectusJSONRenderer
from apps.items.paging import ItemPages
from apps.projects.context import within_request

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "csv": "text/csv; charset=utf-8"}


def file_format(value) -> str:
    """The `format` parameter: `json` (the default) or `csv`."""
    name = "json" if value in (None, "") else value
    if not isinstance(name, str) or name.lower() not in CONTENT_TYPES:
        raise errors.InvalidRequest("format: must be json or csv")
    return name.lower()


def response(collection: str, format_name: str, pages: ItemPages) -> StreamingHttpResponse:
    chunks = json_chunks(pages) if format_name == "json" else csv_chunks(pages.names, pages)
    answer = StreamingHttpResponse(within_request(chunks), content_type=CONTENT_TYPES[format_name])
    answer["Content-Disposition"] = content_disposition_header(True, f"{collection}.{format_name}")
    answer["X-Content-Type-Options"] = "nosniff"
    return answer


def json_chunks(pages: Iterable[list[dict]]) -> Iterator[bytes]:
    """`[item,item,...]`, one chunk per page, written as the API writes items."""
    renderer = DirectusJSONRenderer()
    yield b"["
    separator = b""
    for page in pages:
        yield separator + renderer.render(page)[1:-1]  # the page's array without its brackets
        separator = b","
    yield b"]"


def csv_chunks(names: list[str], pages: Iterable[list[dict]]) -> Iterator[bytes]:
    """The header, then one chunk of rows per page."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # RFC 4180: CRLF, fields quoted where they hold , " or a line end
    writer.writerow(names)
    for page in pages:
        writer.writerows([cell(item.get(name)) for name in names] for item in page)
        yield _taken(buffer)
    if buffer.tell():
        yield _taken(buffer)  # the header alone, when no item matched


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return DirectusJSONRenderer().render(value).decode()
    return str(value)


def _taken(buffer: io.StringIO) -> bytes:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text.encode()
