"""The one place where exceptions become Directus error bodies."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
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
# PostgreSQL's refusal of a NUL character in text (psycopg raises it before sending).
_NUL_MARKER = "cannot contain nul"


def error_body(code: int, message: str, details: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, **(details or {})}}


def to_directus_error(exc: Exception) -> errors.DirectusError | None:
    """Map framework and database exceptions onto Directus errors; None when unknown."""
    if isinstance(exc, errors.DirectusError):
        return exc
    # A body that cannot be parsed, also when it is first read outside DRF's parsers (the
    # authentication looks for `access_token` in form bodies).
    if isinstance(exc, drf.ParseError | drf.UnsupportedMediaType | MultiPartParserError):
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
    if isinstance(exc, UnreadablePostError):
        # The client stopped sending its body: it went away, or stayed silent longer than the
        # server waits (GUNICORN_CLIENT_TIMEOUT). Nothing was read, so nothing is written.
        return errors.BadRequest("The request body was not received in full")
    if storage_unavailable(exc):
        return errors.StorageUnavailable(headers={"Retry-After": "5"})
    if isinstance(exc, OperationalError | InterfaceError | DatabaseError):
        if is_statement_timeout(exc):
            return errors.StatementTimeout(headers={"Retry-After": "5"})
        text = str(exc).lower()
        if _NUL_MARKER in text:
            # A NUL that reached a statement past the checks (apps.core.text): bad input.
            return errors.InvalidRequest("Values must not contain NUL characters")
        if any(marker in text for marker in _LOCK_MARKERS):
            return errors.DatabaseBusy(headers={"Retry-After": "1"})
        if isinstance(exc, OperationalError | InterfaceError) and any(marker in text for marker in _CONNECTION_MARKERS):
            return errors.DatabaseUnavailable(headers={"Retry-After": "5"})
    return None


def storage_unavailable(exc) -> bool:
    """A remote storage that cannot be reached, timed out or failed on its side (5xx)."""
    try:
        from botocore.exceptions import ClientError, HTTPClientError
        from botocore.exceptions import ConnectionError as EndpointUnreachable
    except ImportError:  # no S3 support installed
        return False
    if isinstance(exc, EndpointUnreachable | HTTPClientError):
        return True
    if isinstance(exc, ClientError):
        return exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500
    return False


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
    response = Response(error_body(error.code, error.message, error.details), status=error.status_code)
    for name, value in error.headers.items():
        response[name] = value
    return response


def json_error_response(error: errors.DirectusError) -> JsonResponse:
    response = JsonResponse(error_body(error.code, error.message, error.details), status=error.status_code)
    for name, value in error.headers.items():
        response[name] = value
    return response
