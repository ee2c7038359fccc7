"""`/:project/files`: directus_files through the item engine, plus the stored content."""

from apps.core import errors
from apps.items.keys import changes_by_key, split_ids
from apps.items.system import SystemCollectionView

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

    def files(self) -> FileService:
        return FileService(self.service(), self.collection(), self.request.project)


class FilesView(FilesBaseView):
    def get(self, request):
        return self.list_response(self.collection())

    def post(self, request):
        fields, source = self.fields_and_source()
        return self.respond_items(self.files().create(fields, source, self.query))

    def patch(self, request):
        body = request.data
        if not isinstance(body, list):
            raise errors.InvalidPayload()
        changes = []
        for pk, fields in changes_by_key(self.collection(), body):
            if "data" in fields:
                raise errors.BatchUploadNotAllowed()
            changes.append((pk, fields, None))
        return self.respond_items(self.files().update(changes, self.query, many=True))


class FileView(FilesBaseView):
    def get(self, request, ids: str):
        # files.md: GET /files/:id forwards only `fields` and `meta`.
        self.query = {key: value for key, value in self.query.items() if key in {"fields", "meta"}}
        return self.ids_response(self.collection(), ids)

    def patch(self, request, ids: str):
        keys = split_ids(self.collection(), ids)
        many = len(keys) > 1
        fields, source = self.fields_and_source(allow_data=not many)
        fields.pop("id", None)
        written = self.files().update([(pk, dict(fields), source) for pk in keys], self.query, many=many)
        if not many and written.data is not None:
            written.data = [written.data]  # files.md: a single PATCH answers a one-element array, as Directus 8 does
        return self.respond_items(written)

    def delete(self, request, ids: str):
        self.files().delete(split_ids(self.collection(), ids))
        return self.respond(None)


class FileRevisionsView(FilesBaseView):
    def get(self, request, ids: str, offset: str | None = None):
        return self.revisions_response(self.collection(), ids, offset)
