"""The item reads and creates answered without the generic request cycle.

`GET /:project/items/:collection`, `GET /:project/items/:collection/:ids` and creates
(`POST /:project/items/:collection` with a JSON body) are most of what clients send. Through
Django and DRF each one passes seven middlewares, the URL resolver, DRF's request wrapping,
authentication hooks, negotiation, response and renderer layers: two thirds of a read by id's CPU
was there, not in the read (docs/performance.md). This WSGI application answers those routes
itself with the same parts the views use (project lookup, `DirectusAuthentication`, the JSON
parser, the item service, the renderer, the security and CORS middlewares' own header code) and
hands every other request to Django.

It answers only what it can answer exactly as the full path would: a successful read or create.
Anything else (an error of any kind, a credential the full path would reject, maintenance, a host
Django would refuse, HEAD, an HTTPS redirect) goes to Django from the start, as if the lane had not
looked at it: a read changes nothing, and a create that failed wrote nothing (its transaction, or
its one statement, left nothing), so running it again is safe, and the error answers, reruns on a
schema change and logging stay those of the full path. Only an error after a write became
permanent, which nothing may run again, is answered here, as the full path's last resort does.
`tests/api/items/test_fast_lane.py` compares the two paths answer by answer.
`DIRECTUS_FAST_LANE=0` turns the lane off.
"""

import io
import logging
import os
import re
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches, close_caches
from django.core.handlers.base import reset_urlconf
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest, get_script_name
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connections, reset_queries
from django.http import HttpResponse
from django.middleware.security import SecurityMiddleware
from django.urls import set_script_prefix, set_urlconf
from rest_framework.request import Request

from apps.auth.authentication import DirectusAuthentication
from apps.auth.identity import public_identity
from apps.core import errors
from apps.core.cors import CorsMiddleware
from apps.core.handlers import json_error_response, to_directus_error
from apps.core.middleware import counted_statements, counts_statements
from apps.core.negotiation import IgnoreAcceptNegotiation
from apps.core.parsers import JSONParser
from apps.core.querystring import parse_query
from apps.core.renderers import DirectusJSONRenderer
from apps.core.rerun import WriteWatch
from apps.core.views import envelope
from apps.items.keys import split_ids
from apps.items.operations import ItemService
from apps.items.views import ItemsView, ItemView, user_collection
from apps.projects.middleware import project_key_from_path, serving
from apps.projects.registry import get_project
from directus.conf import directus_settings

logger = logging.getLogger("directus.fastlane")

# The two routes of apps/items/urls.py, under a project prefix (directus/urls.py).
_ROUTE = re.compile(r"/([^/]+)/items/([^/]+)(?:/([^/]+))?")
# Set in the WSGI environ once a create has written: from then on nothing may run it again.
_WROTE = "directus.fastlane.wrote"
# Bodies up to this size are read whole before a create starts (larger ones take the full path).
_BODY_MAX_BYTES = 256 * 1024
_CONTENT_TYPE = f"{DirectusJSONRenderer.media_type}; charset={DirectusJSONRenderer.charset}"


def _allowed_methods(view_class) -> str:
    """The `Allow` header DRF sends for the view (setup adds HEAD where there is GET)."""
    view = view_class()
    view.setup(None)
    return ", ".join(view.allowed_methods)


_ALLOW = {False: _allowed_methods(ItemsView), True: _allowed_methods(ItemView)}


class _Decline(Exception):
    """The full path answers this request."""


class _AfterWrite(Exception):
    """The error came after a write became permanent (its cause is the error)."""


class _Unreadable:
    """A request body the lane could not read, failing for the full path as it failed for it."""

    def __init__(self, error: OSError):
        self.error = error

    def read(self, *args):
        raise self.error

    readline = read


def _receives_only(signal, functions: frozenset) -> bool:
    """Whether `functions` are all the signal's receivers (in any order)."""
    receivers = signal.receivers
    return len(receivers) == len(functions) and {receiver[1]() for receiver in receivers} == functions


_STARTED_BY_DJANGO = frozenset({reset_queries, close_old_connections})
_FINISHED_BY_DJANGO = frozenset({close_old_connections, close_caches, reset_urlconf})


def request_began(environ) -> None:
    """`request_started`, sent as Django sends it; with only Django's own receivers connected,
    their work done directly: the dispatch and one pass over the connections per receiver were a
    tenth of a read by id."""
    if not _receives_only(request_started, _STARTED_BY_DJANGO):
        request_started.send(sender=WSGIHandler, environ=environ)
        return
    for connection in connections.all(initialized_only=True):
        connection.queries_log.clear()
        connection.close_if_unusable_or_obsolete()


def request_ended() -> None:
    """`request_finished`, as `request_began` sends `request_started`."""
    if not _receives_only(request_finished, _FINISHED_BY_DJANGO):
        request_finished.send(sender=WSGIHandler)
        return
    for connection in connections.all(initialized_only=True):
        connection.close_if_unusable_or_obsolete()
    for cache in caches.all(initialized_only=True):
        cache.close()
    set_urlconf(None)


class _Answer(list):
    """The response iterable: closing it ends the request, as closing Django's response does."""

    def close(self):
        request_ended()


class FastLane:
    def __init__(self, django_application: Callable):
        self.django = django_application
        self.authentication = DirectusAuthentication()
        self.negotiator = IgnoreAcceptNegotiation()
        self.parsers = [JSONParser()]
        self.renderer = DirectusJSONRenderer()
        self._headers: dict = {}
        self._security = SecurityMiddleware(lambda request: None)
        self._cors = CorsMiddleware(lambda request: None)

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD")
        if method in ("GET", "POST") and self.enabled():
            match = _ROUTE.fullmatch(environ.get("PATH_INFO", ""))
            if match is not None and (method == "GET" or self._may_take_body(environ, match)):
                if method == "POST":
                    try:
                        body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
                    except OSError as exc:  # the client went silent or away: the full path's 400
                        environ["wsgi.input"] = _Unreadable(exc)
                        return self.django(environ, start_response)
                    environ["wsgi.input"] = io.BytesIO(body)
                try:
                    answer = self.answer(environ)
                except _Decline:
                    pass
                except Exception as exc:
                    if environ.get(_WROTE):
                        return self.last_resort(start_response, exc)
                    # The full path meets the same error, reruns on a schema change, or answers it.
                    logger.debug("Handing %s to the full path", environ.get("PATH_INFO"), exc_info=True)
                else:
                    status, headers, content = answer
                    start_response(status, headers)
                    return content
                if method == "POST":
                    environ["wsgi.input"] = io.BytesIO(body)  # what the lane read, again
        return self.django(environ, start_response)

    @staticmethod
    def _may_take_body(environ, match) -> bool:
        """A create of the items route with a JSON body of a known, modest length: the lane reads
        it whole before it starts, so that the full path can have it again."""
        media_type = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        length = environ.get("CONTENT_LENGTH", "")
        return (
            match.group(3) is None
            and media_type == "application/json"
            and length.isdigit()
            and 0 < int(length) <= _BODY_MAX_BYTES
        )

    @staticmethod
    def enabled() -> bool:
        return directus_settings.FAST_LANE and not settings.PREPEND_WWW and not settings.DISALLOWED_USER_AGENTS

    def answer(self, environ):
        set_script_prefix(get_script_name(environ))
        request_began(environ)
        try:
            request = WSGIRequest(environ)
            match = _ROUTE.fullmatch(request.path_info)
            if match is None:
                raise _Decline
            secure = request.is_secure()
            if settings.SECURE_SSL_REDIRECT and not secure:
                raise _Decline
            request.get_host()  # ALLOWED_HOSTS, as CommonMiddleware checks it
            key, collection, ids = match.groups()
            if key != project_key_from_path(request.path_info) or os.path.exists(directus_settings.MAINTENANCE_FLAG):
                raise _Decline
            project = get_project(key)
            if project is None:
                raise _Decline
            request.project = project
            try:
                with serving(project):
                    if counts_statements():
                        with counted_statements(project.alias) as count:
                            content = self.handle(request, collection, ids)
                        extra = [("X-Directus-Statements", str(count[0]))]
                    else:
                        content = self.handle(request, collection, ids)
                        extra = []
            except _AfterWrite as written:
                return self.error_after_write(request, ids, written.__cause__)
            # DRF sends no Content-Type with an empty body.
            typed = [("Content-Type", _CONTENT_TYPE)] if content else []
            headers = [
                *typed,
                ("Allow", _ALLOW[ids is not None]),
                ("Content-Length", str(len(content))),
                *self.response_headers(request, secure),
                *extra,
            ]
        except BaseException:
            request_ended()
            raise
        return ("200 OK" if content else "204 No Content"), headers, _Answer((content,))

    def handle(self, request: WSGIRequest, collection: str, ids: str | None) -> bytes:
        drf_request = Request(request, parsers=self.parsers, negotiator=self.negotiator)
        authenticated = self.authentication.authenticate(drf_request)
        identity = public_identity() if authenticated is None else authenticated[0]
        drf_request.user = identity
        query = parse_query(request.GET)
        info = user_collection(collection)
        service = ItemService.for_request(drf_request, query)
        service.items_as_json = directus_settings.JSON_FROM_DATABASE  # rendered by `render` only
        if request.method == "POST":
            return self.create(service, info, drf_request.data, query, identity)
        if ids is None:
            items = service.read_list(info, query)
        else:
            items = service.get(info, split_ids(info, ids), query, many="," in ids)
        return self.render(items, identity)

    def create(self, service: ItemService, info, body, query: dict, identity) -> bytes:
        if not body or not isinstance(body, dict | list):
            raise _Decline  # 400 code 13, the full path's
        watch = WriteWatch(service.schema.alias)
        try:
            with connections[service.schema.alias].execute_wrapper(watch):
                many = isinstance(body, list)
                items = service.create(info, body if many else [body], query, many=many)
                service.request.environ[_WROTE] = True
                return self.render(items, identity)
        except Exception as exc:
            if watch.committed:
                raise _AfterWrite from exc
            raise

    def render(self, items, identity) -> bytes:
        if items.data is None:
            return b""  # 204 No Content (a create the caller may not read back)
        body = envelope(items.data, meta=items.meta, messages=items.messages, public=identity.is_public)
        return self.renderer.render(body, self.renderer.media_type, {})

    def error_after_write(self, request: WSGIRequest, ids: str | None, exc: Exception):
        """A write became permanent before the error: it may not run again through the full path,
        so the error is answered here, as the full path's last resort answers it."""
        error = to_directus_error(exc)
        if error is None:
            logger.error("Unhandled error on %s", request.path, exc_info=exc)
            error = errors.InternalError()
        response = json_error_response(error)
        response["Allow"] = _ALLOW[ids is not None]
        if self._cors.is_enabled(request):
            request._cors_enabled = True
            self._cors.add_response_headers(request, response)
        self._security.process_response(request, response)
        status = f"{response.status_code} {response.reason_phrase}"
        return status, list(response.items()), _Answer((response.content,))

    @staticmethod
    def last_resort(start_response, exc: Exception):
        """An error after a create wrote, which even the lane's own error answer met: the plain
        error body, nothing run again."""
        logger.error("Unhandled error after a create was written", exc_info=exc)
        response = json_error_response(errors.InternalError())
        start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
        return _Answer((response.content,))

    def response_headers(self, request: WSGIRequest, secure: bool) -> list[tuple[str, str]]:
        """What the security and CORS middlewares add to a successful answer, from their own code:
        kept per kind of request, except for requests with an Origin (their answer names it)."""
        cors = self._cors.is_enabled(request)
        if "HTTP_ORIGIN" in request.META:
            return self._middleware_headers(request, cors)
        kind = (secure, cors)
        headers = self._headers.get(kind)
        if headers is None:
            headers = self._headers[kind] = self._middleware_headers(request, cors)
        return headers

    def _middleware_headers(self, request: WSGIRequest, cors: bool) -> list[tuple[str, str]]:
        probe = HttpResponse()
        del probe["Content-Type"]
        if cors:
            request._cors_enabled = True
            self._cors.add_response_headers(request, probe)
        self._security.process_response(request, probe)
        return list(probe.items())
