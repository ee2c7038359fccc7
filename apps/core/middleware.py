import logging
from contextlib import contextmanager

from django.conf import settings
from django.core.handlers.exception import convert_exception_to_response
from django.http import JsonResponse
from django.utils.module_loading import import_string

from directus.conf import directus_settings

from . import errors
from .handlers import json_error_response, to_directus_error

logger = logging.getLogger("directus.errors")

_STATUS_ERRORS = {
    400: errors.BadRequest,
    401: errors.Unauthorized,
    403: errors.Forbidden,
    404: errors.RouteNotFound,
    405: errors.MethodNotAllowed,
    413: errors.InvalidPayload,
    429: errors.TooManyRequests,
}


def _is_json(response) -> bool:
    media = response.get("Content-Type", "").split(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")  # SCIM answers application/scim+json


class JsonErrorsMiddleware:
    """Errors raised outside DRF views (middleware, plain Django views) still answer in the
    Directus error format, and never with an HTML page or a stack trace."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code >= 400 and not _is_json(response):
            # Django's own error responses (405 from plain views, CSRF failures, DEBUG pages)
            # are HTML; clients of this API only ever get the JSON error body.
            error = _STATUS_ERRORS.get(response.status_code, errors.InternalError)()
            error.status_code = response.status_code
            if response.has_header("Allow"):  # a 405 says which methods the route takes
                error.headers = {"Allow": response["Allow"]}
            return json_error_response(error)
        return response

    def process_exception(self, request, exception):
        error = to_directus_error(exception)
        if error is None:
            logger.exception("Unhandled error on %s", request.path, exc_info=exception)
            error = errors.InternalError()
        return json_error_response(error)


class AdminSiteMiddleware:
    """Runs `settings.ADMIN_SITE_MIDDLEWARE` (sessions, auth, messages, clickjacking) around
    requests for the operators' admin, and lets every other request past them.

    Their cost is paid on each API request otherwise (cookie signing, message storage, a lazy
    user), about a tenth of a read by id, for state the API never uses. They are chained the way
    Django chains MIDDLEWARE, so they must be plain request/response middlewares (no view or
    exception hooks), as Django's own four are."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = "/" + directus_settings.ADMIN_PATH.lstrip("/")
        handler = get_response
        for path in reversed(settings.ADMIN_SITE_MIDDLEWARE):
            middleware = import_string(path)(handler)
            if any(hasattr(middleware, hook) for hook in ("process_view", "process_exception")):
                raise TypeError(f"{path} has view or exception hooks; put it in MIDDLEWARE instead")
            handler = convert_exception_to_response(middleware)
        self.admin_site = handler

    def __call__(self, request):
        if request.path_info.startswith(self.prefix):
            return self.admin_site(request)
        return self.get_response(request)


def not_found(request, exception=None) -> JsonResponse:
    return json_error_response(errors.RouteNotFound())


def bad_request(request, exception=None) -> JsonResponse:
    return json_error_response(errors.BadRequest())


def forbidden(request, exception=None) -> JsonResponse:
    return json_error_response(errors.Forbidden())


def server_error(request) -> JsonResponse:
    return json_error_response(errors.InternalError())


_STATEMENT_COUNTER = "apps.core.middleware.StatementCountMiddleware"


def counts_statements() -> bool:
    return _STATEMENT_COUNTER in settings.MIDDLEWARE


@contextmanager
def counted_statements(alias: str):
    """Counts the statements sent on `alias` inside the block, in the yielded list's one item."""
    from django.db import connections

    count = [0]

    def counting(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connections[alias].execute_wrapper(counting):
        yield count


class StatementCountMiddleware:
    """Adds `X-Directus-Statements`: the SQL statements a request sent to its project database.
    For benchmarks and profiling only (DIRECTUS_COUNT_STATEMENTS=1)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        project = getattr(request, "project", None)
        if project is None:
            return self.get_response(request)
        with counted_statements(project.alias) as count:
            response = self.get_response(request)
        response["X-Directus-Statements"] = str(count[0])
        return response
