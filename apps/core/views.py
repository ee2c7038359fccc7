"""Base views: every API view answers in the Directus envelope.

`{"data": ..., "meta": ...}`; `"public": true` when the caller is the public role (or on routes
that never authenticate); `204 No Content` with an empty body when there is no data. A request
that meets a schema changed under it runs again (apps.core.rerun).
"""

from functools import cached_property

from rest_framework.response import Response
from rest_framework.views import APIView

from .querystring import parse_query
from .rerun import RerunOnSchemaChange


def envelope(data, *, meta: dict | None = None, messages: list | None = None, public: bool = False) -> dict:
    """The body of an answer with data."""
    body = {"data": data}
    if meta is not None:
        body["meta"] = meta
    if messages:
        body["messages"] = messages
    if public:
        body["public"] = True
    return body


class DirectusView(RerunOnSchemaChange, APIView):
    # Routes such as /auth/* run without authentication and always answer as public.
    always_public = False

    @cached_property
    def query(self) -> dict:
        """The query string parsed with PHP bracket rules."""
        return parse_query(self.request.query_params)

    def respond(self, data, *, meta: dict | None = None, messages: list | None = None, status=200):
        if data is None:
            return Response(status=204)
        return Response(envelope(data, meta=meta, messages=messages), status=status)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response) and isinstance(response.data, dict) and "data" in response.data:
            identity = getattr(request, "_user", None)
            if self.always_public or identity is None or getattr(identity, "is_public", False):
                response.data["public"] = True
        return response
