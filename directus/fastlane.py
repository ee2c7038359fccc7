"""The item reads answered without the generic request cycle.

`GET /:project/items/:collection` and `GET /:project/items/:collection/:ids` are most of what
clients send. Through Django and DRF each one passes seven middlewares, the URL resolver, DRF's
request wrapping, authentication hooks, negotiation, response and renderer layers and the
template response machinery: two thirds of a read by id's CPU was there, not in the read
(docs/performance.md). This WSGI application answers those two routes itself with the same parts
the views use (project lookup, `DirectusAuthentication`, the item service, the renderer, the
security and CORS middlewares' own header code) and hands every other request to Django.

It answers only what it can answer exactly as the full path would: a successful read. Anything
else (an error of any kind, a credential the full path would reject, maintenance, a host Django
would refuse, HEAD, an HTTPS redirect) goes to Django from the start, as if the lane had not
looked at it: a read changes nothing, so running it again is safe, and the error answers, reruns
on a schema change and logging stay those of the full path. `tests/api/items/test_fast_lane.py`
compares the two paths answer by answer. `DIRECTUS_FAST_LANE=0` turns the lane off.
"""

import logging
import os
import re
from collections.abc import Callable

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest, get_script_name
from django.core.signals import request_finished, request_started
from django.http import HttpResponse
from django.middleware.security import SecurityMiddleware
from django.urls import set_script_prefix
from rest_framework.request import Request

from apps.auth.authentication import DirectusAuthentication
from apps.auth.identity import public_identity
from apps.core.cors import CorsMiddleware
from apps.core.local import request_local
from apps.core.middleware import counted_statements, counts_statements
from apps.core.negotiation import IgnoreAcceptNegotiation
from apps.core.querystring import parse_query
from apps.core.renderers import DirectusJSONRenderer
from apps.core.views import envelope
from apps.items.keys import split_ids
from apps.items.operations import ItemService
from apps.items.views import ItemsView, ItemView, user_collection
from apps.projects.context import _current
from apps.projects.middleware import project_key_from_path
from apps.projects.registry import get_project
from directus.conf import directus_settings

logger = logging.getLogger("directus.fastlane")

# The two routes of apps/items/urls.py, under a project prefix (directus/urls.py).
_ROUTE = re.compile(r"/([^/]+)/items/([^/]+)(?:/([^/]+))?")
_CONTENT_TYPE = f"{DirectusJSONRenderer.media_type}; charset={DirectusJSONRenderer.charset}"


def _allowed_methods(view_class) -> str:
    """The `Allow` header DRF sends for the view (setup adds HEAD where there is GET)."""
    view = view_class()
    view.setup(None)
    return ", ".join(view.allowed_methods)


_ALLOW = {False: _allowed_methods(ItemsView), True: _allowed_methods(ItemView)}


class _Decline(Exception):
    """The full path answers this request."""


class _Answer(list):
    """The response iterable: closing it ends the request, as closing Django's response does."""

    def close(self):
        request_finished.send(sender=WSGIHandler)


class FastLane:
    def __init__(self, django_application: Callable):
        self.django = django_application
        self.authentication = DirectusAuthentication()
        self.negotiator = IgnoreAcceptNegotiation()
        self.renderer = DirectusJSONRenderer()
        self._headers: dict = {}
        self._security = SecurityMiddleware(lambda request: None)
        self._cors = CorsMiddleware(lambda request: None)

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "GET" and self.enabled():
            match = _ROUTE.fullmatch(environ.get("PATH_INFO", ""))
            if match is not None:
                try:
                    answer = self.answer(environ)
                except _Decline:
                    pass
                except Exception:
                    # The full path meets the same error, reruns on a schema change, or answers it.
                    logger.debug("Handing %s to the full path", environ.get("PATH_INFO"), exc_info=True)
                else:
                    status, headers, body = answer
                    start_response(status, headers)
                    return body
        return self.django(environ, start_response)

    @staticmethod
    def enabled() -> bool:
        return directus_settings.FAST_LANE and not settings.PREPEND_WWW and not settings.DISALLOWED_USER_AGENTS

    def answer(self, environ):
        set_script_prefix(get_script_name(environ))
        request_started.send(sender=WSGIHandler, environ=environ)
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
            token = _current.set(project)
            try:
                with request_local():
                    if counts_statements():
                        with counted_statements(project.alias) as count:
                            body = self.read(request, collection, ids)
                        extra = [("X-Directus-Statements", str(count[0]))]
                    else:
                        body = self.read(request, collection, ids)
                        extra = []
            finally:
                _current.reset(token)
            headers = [
                ("Content-Type", _CONTENT_TYPE),
                ("Allow", _ALLOW[ids is not None]),
                ("Content-Length", str(len(body))),
                *self.response_headers(request, secure),
                *extra,
            ]
        except BaseException:
            request_finished.send(sender=WSGIHandler)
            raise
        return "200 OK", headers, _Answer((body,))

    def read(self, request: WSGIRequest, collection: str, ids: str | None) -> bytes:
        drf_request = Request(request, negotiator=self.negotiator)
        authenticated = self.authentication.authenticate(drf_request)
        identity = public_identity() if authenticated is None else authenticated[0]
        drf_request.user = identity
        query = parse_query(request.GET)
        info = user_collection(collection)
        service = ItemService.for_request(drf_request, query)
        if ids is None:
            items = service.read_list(info, query)
        else:
            items = service.get(info, split_ids(info, ids), query, many="," in ids)
        if items.data is None:
            raise _Decline  # 204: left to the full path
        body = envelope(items.data, meta=items.meta, messages=items.messages, public=identity.is_public)
        return self.renderer.render(body, self.renderer.media_type, {})

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
