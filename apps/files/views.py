"""`/:project/files`: directus_files through the item engine, plus the stored content."""

from apps.core import errors
from apps.items.listing import item_meta, read_ids
from apps.items.reader import messages_for
from apps.items.system import SystemCollectionView
from apps.items.views import ItemRevisionsView, split_ids

from .services import COLLECTION, FileService, normalise_form_fields
from .storage import upload_limit
from .uploads import install_upload_handler, source_of


class FilesBaseView(SystemCollectionView):
    collection_name = COLLECTION

    def initialize_request(self, request, *args, **kwargs):
        # Before authentication, which may read form fields (and so parse the multipart body).
        if request.method in {"POST", "PATCH"} and request.content_type.startswith("multipart/"):
            install_upload_handler(request, upload_limit(getattr(request, "project", None)))
        return super().initialize_request(request, *args, **kwargs)

    def fields_and_source(self, *, allow_data: bool = True):
        """The body's fields and its content source (multipart file part, or `data`)."""
        request = self.request
        uploaded = None
        if request.content_type.startswith("multipart/"):
            files = request.FILES
            parts = [item for key in files for item in files.getlist(key)]
            if len(parts) > 1:
                raise errors.BatchUploadNotAllowed()
            uploaded = parts[0] if parts else None
            data = request.data
            fields = normalise_form_fields({key: data.get(key) for key in data if key not in files})
        else:
            body = request.data
            if isinstance(body, list):
                raise errors.BatchUploadNotAllowed()
            if not isinstance(body, dict):
                raise errors.InvalidPayload()
            fields = {key: body.get(key) for key in body}
        value = fields.pop("data", None)
        source = source_of(value, uploaded=uploaded)
        if source is not None and not allow_data:
            raise errors.BatchUploadNotAllowed()
        return fields, source

    def file_response(self, ids: list, *, many: bool, as_list: bool = False):
        guard = self.guard()
        reader = self.reader(guard)
        info = self.collection()
        items = read_ids(reader, info, ids, self.query)
        if not items:
            return self.respond(None)
        meta = item_meta(info, self.query, many=many)
        data = items if (many or as_list) else items[0]
        return self.respond(data, meta=meta, messages=messages_for(reader.denied))


class FilesView(FilesBaseView):
    def get(self, request):
        return self.list_response(self.collection())

    def post(self, request):
        fields, source = self.fields_and_source()
        pk = FileService(self).create(fields, source)
        return self.file_response([pk], many=False)

    def patch(self, request):
        body = request.data
        if not isinstance(body, list) or not body:
            raise errors.InvalidPayload()
        info = self.collection()
        changes = []
        for item in body:
            if not isinstance(item, dict) or item.get("id") in (None, ""):
                raise errors.UnprocessableEntity("Payload must include the primary key")
            if "data" in item:
                raise errors.BatchUploadNotAllowed()
            pk = split_ids(info, str(item["id"]))[0]
            changes.append((pk, {key: value for key, value in item.items() if key != "id"}, None))
        keys = FileService(self).update(changes)
        return self.file_response(keys, many=True)


class FileView(FilesBaseView):
    def get(self, request, ids: str):
        # files.md: GET /files/:id forwards only `fields` and `meta`.
        self.query = {key: value for key, value in self.query.items() if key in {"fields", "meta"}}
        return self.ids_response(self.collection(), ids)

    def patch(self, request, ids: str):
        info = self.collection()
        keys = split_ids(info, ids)
        many = len(keys) > 1
        fields, source = self.fields_and_source(allow_data=not many)
        fields.pop("id", None)
        FileService(self).update([(pk, dict(fields), source) for pk in keys])
        # files.md: a single PATCH answers a one-element array, as Directus 8 does.
        return self.file_response(keys, many=many, as_list=True)

    def delete(self, request, ids: str):
        FileService(self).delete(split_ids(self.collection(), ids))
        return self.respond(None)


class FileRevisionsView(ItemRevisionsView):
    def get(self, request, ids: str, offset: str | None = None):
        return super().get(request, COLLECTION, ids, offset)
