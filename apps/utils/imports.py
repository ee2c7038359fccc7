"""Items read from a file and created together (`POST /:project/utils/import/:collection`).

The items come as JSON (an array of objects, as `POST /items/:collection` takes them, nested
relations included) or CSV (a header row of field names, then one row per item), either as the
request body (`Content-Type: application/json` or `text/csv`) or as a `.json` or `.csv` file in
the multipart field `file`. A body or file is at most DIRECTUS_MAX_JSON_BODY bytes (413 code 13)
and holds at most MAX_BATCH_ITEMS items.

CSV cells are text; the writer converts them by the field's type as it converts any payload
(`12` for an integer, `true`/`false`/`1`/`0` for a boolean, dates as text). Beyond that:

- an empty cell is null (CSV cannot tell an empty string from no value); a column left out of
  the file leaves the field to its default;
- a cell of a JSON or array field is read as JSON when it is JSON (an array field also takes
  `a,b,c`), of an O2M or M2M field always as JSON (an array of items or keys), and of an M2O
  field as JSON when it holds an object (a nested item), else as the related key.

Every item is checked, and all are created in one transaction or none is (ItemService.
create_each); a refusal names each refused row, 1 being the first item (the line after the
header in CSV)."""

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework.parsers import BaseParser

from apps.core import errors
from apps.core.parsers import JSONParser
from apps.core.text import has_nul
from apps.items.operations import ItemService
from apps.schema import columns
from apps.schema.description import CollectionInfo, FieldInfo

CSV_MEDIA_TYPE = "text/csv"
JSON_MEDIA_TYPE = "application/json"


class CSVParser(BaseParser):
    """A `text/csv` body, as the raw bytes (read into rows by `csv_items`)."""

    media_type = CSV_MEDIA_TYPE

    def parse(self, stream, media_type=None, parser_context=None):
        return CSVBody(stream.read() if stream is not None else b"")


@dataclass(frozen=True)
class CSVBody:
    content: bytes


@dataclass
class Table:
    """The items of a file: the payloads, the row number of each, and the rows refused while
    reading it (a CSV row of the wrong width or with bad JSON in a cell)."""

    payloads: list[dict] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    refused: list[tuple[int, errors.DirectusError]] = field(default_factory=list)


def check_size(django_request) -> None:
    """Before anything reads the body: its declared length (Django reads no further) within the
    limit of JSON bodies."""
    try:
        length = int(django_request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        raise RequestDataTooBig("Request body is too large")


def read_table(request, collection: CollectionInfo) -> Table:
    """The items of the request, from its body or its `file` part."""
    if request.content_type.startswith("multipart/"):
        upload = request.FILES.get("file")
        if upload is None:
            raise errors.InvalidPayload("The file to import goes in the multipart field `file`")
        kind = _kind_of(upload)
        if kind == JSON_MEDIA_TYPE:
            return json_items(JSONParser().parse(upload, JSON_MEDIA_TYPE, {"encoding": "utf-8-sig"}))
        return csv_items(upload.read(), collection)
    body = request.data
    if isinstance(body, CSVBody):
        return csv_items(body.content, collection)
    return json_items(body)


def _kind_of(upload) -> str:
    suffix = PurePath(upload.name or "").suffix.lower()
    kind = {".json": JSON_MEDIA_TYPE, ".csv": CSV_MEDIA_TYPE}.get(suffix)
    if kind is None:
        kind = (upload.content_type or "").split(";")[0].strip().lower()
    if kind not in (JSON_MEDIA_TYPE, CSV_MEDIA_TYPE):
        raise errors.InvalidPayload("The file to import must be a .json or a .csv file")
    return kind


def json_items(body) -> Table:
    """A JSON array of items; each is checked by the writer (an item that is not an object is
    refused there)."""
    if not isinstance(body, list) or not body:
        raise errors.InvalidPayload("The items to import must be a JSON array of objects")
    return Table(payloads=body, rows=list(range(1, len(body) + 1)))


def csv_items(content: bytes, collection: CollectionInfo) -> Table:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise errors.InvalidPayload("The CSV file must be UTF-8 text") from None
    if has_nul(text):  # as JSON bodies (apps.core.parsers): no database text holds one
        raise errors.InvalidRequest("Values must not contain NUL characters")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        names = _header(next(reader, None), collection)
        table = Table()
        for cells in reader:
            if not cells:
                continue  # a blank line
            row = len(table.rows) + len(table.refused) + 1
            try:
                table.payloads.append(_payload(collection, names, cells))
                table.rows.append(row)
            except errors.DirectusError as error:
                table.refused.append((row, error))
    except csv.Error as exc:
        raise errors.InvalidPayload(f"CSV line {reader.line_num}: {exc}") from None
    if not table.rows and not table.refused:
        raise errors.InvalidPayload("The CSV file has no rows")
    return table


def _header(cells: list[str] | None, collection: CollectionInfo) -> list[str]:
    names = [name.strip() for name in cells or []]
    if not any(names):
        raise errors.InvalidPayload("The CSV file has no header row")
    unknown = [name for name in names if name not in collection.fields]
    if unknown:
        listed = ", ".join(unknown)
        raise errors.UnprocessableEntity(f'CSV columns: "{listed}" do not exist in "{collection.name}" collection.')
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise errors.InvalidRequest(f'CSV columns: "{", ".join(twice)}" appear more than once')
    return names


def _payload(collection: CollectionInfo, names: list[str], cells: list[str]) -> dict:
    if len(cells) != len(names):
        raise errors.InvalidRequest(f"The row has {len(cells)} cells, the header {len(names)}")
    return {name: cell_value(collection.fields[name], text) for name, text in zip(names, cells, strict=True)}


def cell_value(info: FieldInfo, text: str):
    """A CSV cell as a payload value of its field."""
    if text == "":
        return None
    relation = info.relation
    if info.alias and relation is not None and relation.kind in {"o2m", "m2m"}:
        return _json(info, text)
    if info.field_type.structured:
        try:
            return json.loads(text)
        except ValueError:
            if info.field_type.to_column is columns.array:
                return [item.strip() for item in text.split(",")]
            return text  # stored as given, as text sent to a JSON field through the API
    if relation is not None and relation.kind == "m2o" and text.lstrip().startswith("{"):
        return _json(info, text)
    return text


def _json(info: FieldInfo, text: str):
    try:
        return json.loads(text)
    except ValueError:
        raise errors.InvalidRequest(f"{info.name}: must be JSON") from None


def create_items(service: ItemService, collection: CollectionInfo, table: Table) -> list:
    """Create the table's items, all or none; `RowsRefused` names every refused row, those
    refused while reading the file too (the others are still checked, then rolled back)."""
    with service.atomic():
        refused = list(table.refused)
        keys = []
        if table.payloads:
            try:
                keys = service.create_each(collection, table.payloads)
            except errors.RowsRefused as refusal:
                refused += [(table.rows[row - 1], error) for row, error in refusal.refusals]
        if refused:
            raise errors.RowsRefused(refused)
        return keys
