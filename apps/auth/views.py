"""/:project/auth/* routes. They run without the authentication step (auth.md) and answer
`"public": true`, except the logout-by-user routes, which need to know who asks."""

from django.http import QueryDict
from rest_framework.response import Response

from apps.core import errors
from apps.core.handlers import error_body
from apps.core.views import DirectusView
from apps.schema.project_settings import client_ip
from directus.conf import directus_settings

from . import services
from .authentication import credential_from_request
from .sessions import RequestCredential, session_cookie_name


def _payload(request) -> dict:
    """The body as an object; 400 code 13 when it is missing, empty or not an object."""
    data = request.data
    if isinstance(data, QueryDict):
        data = data.dict()
    if not isinstance(data, dict) or not data:
        raise errors.InvalidPayload()
    return data


def _client(request) -> services.Client:
    return services.Client(ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", ""))


def _credential(request) -> RequestCredential | None:
    try:
        credential = credential_from_request(request)
    except errors.DirectusError:  # an undecodable Basic header is simply no credential here
        return None
    return RequestCredential(*credential) if credential else None


def _error_response(error: errors.DirectusError) -> Response:
    response = Response(error_body(error.code, error.message), status=error.status_code)
    for name, value in error.headers.items():
        response[name] = value
    return response


def _cookie_options() -> dict:
    return {"path": "/", "samesite": directus_settings.SESSION_COOKIE_SAMESITE}


class AuthView(DirectusView):
    always_public = True
    authentication_classes = []


class AuthenticateView(AuthView):
    def post(self, request):
        data = _payload(request)
        mode = data.get("mode") or self.query.get("mode") or services.JWT_MODE
        try:
            result = services.login(request.project, data, mode, _client(request))
        except errors.DirectusError as error:
            # Answered here rather than raised: the exception handler rolls back the request's
            # transaction, and a failed login's activity row and lockout must be kept.
            return _error_response(error)
        body = {"data": result.data}
        if result.two_factor_missing:
            missing = errors.TwoFactorNotActivated()
            body["error"] = {"code": missing.code, "message": missing.message}
        response = Response(body)
        if result.cookie is not None:
            response.set_cookie(
                session_cookie_name(request.project.key),
                result.cookie,
                expires=result.session.token_expired_at,
                httponly=True,
                secure=directus_settings.SESSION_COOKIE_SECURE or request.is_secure(),
                **_cookie_options(),
            )
        return response


class RefreshView(AuthView):
    def post(self, request):
        token = services.refresh(request.project, _payload(request))
        return self.respond({"token": token})


class LogoutView(AuthView):
    def post(self, request):
        services.logout(request.project, _credential(request))
        response = self.respond(None)
        if session_cookie_name(request.project.key) in request.COOKIES:
            response.delete_cookie(session_cookie_name(request.project.key), **_cookie_options())
        return response


class LogoutUserView(DirectusView):
    # Ending sessions must work even for a user who still has to activate enforced 2FA.
    allow_without_2fa = True

    def post(self, request, user, session=None):
        ended = services.logout_user(request.project, request.user, user, session)
        response = self.respond(None)
        if request.user.token_kind == "cookie" and request.user.session_id in ended:
            response.delete_cookie(session_cookie_name(request.project.key), **_cookie_options())
        return response


class CheckView(AuthView):
    def get(self, request):
        return self.respond({"authenticated": services.is_authenticated(request.project, _credential(request))})


class SessionsView(AuthView):
    def get(self, request):
        return self.respond(services.list_sessions(request.project, _credential(request)))


class PasswordRequestView(AuthView):
    def post(self, request):
        services.request_password_reset(request.project, _payload(request), ip=client_ip(request))
        return self.respond(None)


class PasswordResetView(AuthView):
    def post(self, request):
        services.reset_password(request.project, _payload(request))
        return self.respond(None)


class SsoProvidersView(AuthView):
    # No single sign-on providers are supported (they need external identity services).
    def get(self, request):
        return self.respond([])
