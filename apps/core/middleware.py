import logging

from django.http import JsonResponse

from . import errors
from .handlers import json_error_response, to_directus_error

logger = logging.getLogger("directus.errors")


class JsonErrorsMiddleware:
    """Errors raised outside DRF views (middleware, plain Django views) still answer in the
    Directus error format, and never with an HTML page or a stack trace."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        error = to_directus_error(exception)
        if error is None:
            logger.exception("Unhandled error on %s", request.path, exc_info=exception)
            error = errors.InternalError()
        return json_error_response(error)


def not_found(request, exception=None) -> JsonResponse:
    return json_error_response(errors.RouteNotFound())


def bad_request(request, exception=None) -> JsonResponse:
    return json_error_response(errors.BadRequest())


def forbidden(request, exception=None) -> JsonResponse:
    return json_error_response(errors.Forbidden())


def server_error(request) -> JsonResponse:
    return json_error_response(errors.InternalError())
