"""`/:project/utils/*` (utils.md). Authentication runs (a bad token is refused) but no role is
required: the public role may call these. Exports and imports of items follow the caller's
permissions on the collection, as the item routes do."""

from rest_framework.parsers import MultiPartParser

from apps.auth.services import login_ip_counter
from apps.auth.throttling import hit_all
from apps.core import errors
from apps.core.parsers import JSONParser
from apps.core.views import DirectusView
from apps.items.operations import ItemService
from apps.items.views import user_collection
from apps.schema.project_settings import client_ip

from . import exports, imports, services


def payload(request, *, may_be_empty_object=False) -> dict:
    """The JSON object body; a missing body, one that is not an object, or (unless
    `may_be_empty_object`) `{}` → `400` code 13."""
    body = request.data
    if not isinstance(body, dict) or not (body or (may_be_empty_object and request.stream is not None)):
        raise errors.InvalidPayload()
    return body


def text(body: dict, name: str) -> str:
    value = body.get(name)
    if value is None or value == "":
        raise errors.InvalidRequest(f"{name}: This value should not be blank.")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise errors.InvalidRequest(f"{name}: This value should be of type string.")
    return str(value)


def count_as_login_attempt(request) -> None:
    """Without a token, a call of the hashing routes is a login attempt of the caller's address
    (deviations.md § Limits): the public role cannot spend the server's CPU on bcrypt faster than
    on logins."""
    if request.user.is_public:
        hit_all([login_ip_counter(request.project, client_ip(request))])


class HashView(DirectusView):
    def post(self, request):
        count_as_login_attempt(request)
        body = payload(request)
        value = text(body, "string")
        hasher = services.hasher_name(body.get("hasher"))
        return self.respond({"hash": services.make_hash(value, hasher, body.get("options"))})


class HashMatchView(DirectusView):
    def post(self, request):
        count_as_login_attempt(request)
        body = payload(request)
        value = text(body, "string")
        hashed = text(body, "hash")
        hasher = services.hasher_name(body.get("hasher"))
        return self.respond({"valid": services.hash_matches(value, hashed, hasher)})


class RandomStringView(DirectusView):
    def post(self, request):
        body = payload(request, may_be_empty_object=True)  # `{}` asks for the default length
        length = body.get("length", 32)
        if isinstance(length, str) and length.strip().isdigit():
            length = int(length.strip())
        if isinstance(length, bool) or not isinstance(length, int):
            raise errors.InvalidRequest("length: This value should be of type numeric.")
        if not 1 <= length <= services.RANDOM_MAX_LENGTH:
            raise errors.InvalidRequest(f"length: must be from 1 to {services.RANDOM_MAX_LENGTH}")
        return self.respond({"random": services.random_string(length)})


class TwoFactorSecretView(DirectusView):
    def get(self, request):
        return self.respond({"2fa_secret": services.two_factor_secret()})


class ExportView(DirectusView):
    """Every item of a user collection the caller may read, as a JSON or CSV file, with the
    list route's `fields`, `filter`, `sort`, `q`, `status` and `lang` (apps.utils.exports)."""

    def get(self, request, collection: str):
        info = user_collection(collection)
        file_format = exports.file_format(self.query.get("format"))
        pages = ItemService.for_request(request, self.query).read_all(info, self.query)
        return exports.response(info.name, file_format, pages)


class ImportView(DirectusView):
    """Items of a JSON or CSV file created in a user collection, all or none (apps.utils.imports)."""

    parser_classes = [JSONParser, imports.CSVParser, MultiPartParser]

    def initial(self, request, *args, **kwargs):
        # Before authentication, which may read form fields (and so the whole multipart body).
        imports.check_size(request)
        super().initial(request, *args, **kwargs)

    def post(self, request, collection: str):
        info = user_collection(collection)
        service = ItemService.for_request(request, self.query)
        service.check_may_create(info)
        keys = imports.create_items(service, info, imports.read_table(request, info))
        return self.respond({"created": len(keys), "keys": keys})
