"""`/:project/utils/*` (utils.md). Authentication runs (a bad token is refused) but no role is
required: the public role may call these."""

from apps.auth.services import login_ip_counter
from apps.auth.throttling import hit_all
from apps.core import errors
from apps.core.views import DirectusView
from apps.schema.project_settings import client_ip

from . import services


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
