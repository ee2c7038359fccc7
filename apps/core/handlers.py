"""The one place where exceptions become Directus error bodies."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from . import errors
from .dberrors import is_statement_timeout

logger = logging.getLogger("directus.errors")

# Driver error texts that mean "try again later" rather than "your request is wrong".
_LOCK_MARKERS = ("deadlock", "lock wait timeout", "database is locked", "could not obtain lock")
_CONNECTION_MARKERS = (
    "could not connect",
    "connection refused",
    "can't connect",
    "unable to open database",
    "server closed the connection",
    "connection is closed",
    "terminating connection",
    "lost connection",
    "connection failed",
    "unknown database",
    "does not exist",
)


def error_body(code: int, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


def to_directus_error(exc: Exception) -> errors.DirectusError | None:
    """Map framework and database exceptions onto Directus errors; None when unknown."""
    if isinstance(exc, errors.DirectusError):
        return exc
    if isinstance(exc, drf.ParseError | drf.UnsupportedMediaType):
        return errors.InvalidPayload()
    if isinstance(exc, drf.MethodNotAllowed):
        return errors.MethodNotAllowed()
    if isinstance(exc, drf.NotFound | Http404):
        return errors.RouteNotFound()
    if isinstance(exc, drf.Throttled):
        wait = int(exc.wait or 1)
        return errors.TooManyRequests(headers={"Retry-After": str(wait)})
    if isinstance(exc, drf.AuthenticationFailed | drf.NotAuthenticated):
        return errors.Unauthorized()
    if isinstance(exc, drf.PermissionDenied | DjangoPermissionDenied):
        return errors.Forbidden()
    if isinstance(exc, drf.ValidationError):
        return errors.InvalidRequest(_validation_message(exc.detail))
    if isinstance(exc, RequestDataTooBig):
        error = errors.InvalidPayload("Request body is too large")
        error.status_code = 413
        return error
    if isinstance(exc, SuspiciousOperation):
        return errors.BadRequest()
    if isinstance(exc, OperationalError | InterfaceError | DatabaseError):
        if is_statement_timeout(exc):
            return errors.StatementTimeout(headers={"Retry-After": "5"})
        text = str(exc).lower()
        if any(marker in text for marker in _LOCK_MARKERS):
            return errors.DatabaseBusy(headers={"Retry-After": "1"})
        if isinstance(exc, OperationalError | InterfaceError) and any(marker in text for marker in _CONNECTION_MARKERS):
            return errors.DatabaseUnavailable(headers={"Retry-After": "5"})
    return None


def _validation_message(detail) -> str:
    if isinstance(detail, dict):
        return "; ".join(f"{key}: {_validation_message(value)}" for key, value in detail.items())
    if isinstance(detail, list):
        return " ".join(_validation_message(item) for item in detail)
    return str(detail)


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every error leaves as {"error": {"code", "message"}}."""
    request = context.get("request")
    where = f"{getattr(request, 'method', '?')} {getattr(request, 'path', '?')}"
    error = to_directus_error(exc)
    if error is None:
        logger.exception("Unhandled error on %s", where, exc_info=exc)
        error = errors.InternalError()
    elif error.status_code >= 500:
        logger.error("%s -> %s code %s: %r", where, error.status_code, error.code, exc, exc_info=exc)
    else:
        # The client gets the code and a short message; the log keeps the underlying cause.
        cause = exc.__cause__ or exc
        logger.info("%s -> %s code %s: %r", where, error.status_code, error.code, cause)
    set_rollback()
    response = Response(error_body(error.code, error.message), status=error.status_code)
    for name, value in error.headers.items():
        response[name] = value
    return response


def json_error_response(error: errors.DirectusError) -> JsonResponse:
    response = JsonResponse(error_body(error.code, error.message), status=error.status_code)
    for name, value in error.headers.items():
        response[name] = value
    return response
