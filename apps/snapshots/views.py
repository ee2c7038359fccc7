"""The schema snapshot routes (an addition to the Directus 8 API), for admins only:

    GET  /:project/schema/snapshot             {"data": snapshot}; ?export=yaml|json: a file
    POST /:project/schema/diff                 body: a snapshot -> {"data": {"changes": [...]}}
    POST /:project/schema/apply                body: a snapshot; ?dry_run=1, ?allow_drops=1

Bodies are JSON, or YAML with `Content-Type: application/yaml` (what ?export=yaml gives)."""

from django.http import HttpResponse
from rest_framework.parsers import BaseParser

from apps.core import errors
from apps.core.parsers import JSONParser
from apps.core.text import has_nul
from apps.core.views import DirectusView

from .apply import apply_snapshot, plan_snapshot, require_admin
from .document import FORMATS, dumps, loads
from .snapshot import take_snapshot

CONTENT_TYPES = {"yaml": "application/yaml; charset=utf-8", "json": "application/json; charset=utf-8"}


class YAMLParser(BaseParser):
    media_type = "application/yaml"

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", "utf-8")
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError:
            raise errors.InvalidPayload() from None
        data = loads(text)
        if has_nul(data):
            raise errors.InvalidRequest("Values must not contain NUL characters")
        return data


def _flag(view: DirectusView, name: str) -> bool:
    return str(view.query.get(name, "")).lower() in {"1", "true"}


def _changes(changes) -> dict:
    return {"changes": [change.as_dict() for change in changes]}


class SnapshotView(DirectusView):
    def get(self, request):
        require_admin(request.user)
        document = take_snapshot()
        export = self.query.get("export")
        if export in (None, ""):
            return self.respond(document)
        if export not in FORMATS:
            raise errors.InvalidRequest(f"export: must be one of {', '.join(FORMATS)}")
        response = HttpResponse(dumps(document, export), content_type=CONTENT_TYPES[export])
        response["Content-Disposition"] = f'attachment; filename="{request.project.key}-schema.{export}"'
        return response


class DiffView(DirectusView):
    parser_classes = [JSONParser, YAMLParser]

    def post(self, request):
        require_admin(request.user)
        return self.respond(_changes(plan_snapshot(request.data, request.user)))


class ApplyView(DirectusView):
    parser_classes = [JSONParser, YAMLParser]

    def post(self, request):
        require_admin(request.user)
        changes = apply_snapshot(
            request.data, request.user, allow_drops=_flag(self, "allow_drops"), dry_run=_flag(self, "dry_run")
        )
        return self.respond(_changes(changes))
