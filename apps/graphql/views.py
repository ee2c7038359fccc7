"""`GET|POST /:project/gql` (graphql.md, deviation 12).

The request is authenticated by the same DRF authenticator as REST (a bad token is `401` code
101, deviation 1), then served by the schema built for this project, schema version and the
caller's read permissions (apps.graphql.cache). Any signed-in role may query; the public role
only when its permissions let it read something.

Answers are GraphQL results, not the REST envelope: `{"data": ...}` and/or
`{"errors": [{"message", "locations", "path", "extensions": {"code": N}}]}`.

* errors inside resolvers: HTTP 200, the Directus code in `extensions.code`, never a trace;
* a document that is refused (syntax, validation, limits): HTTP 400 and no `data`;
* the request itself refused (body, method): the Directus error's HTTP status, in the same
  `errors` shape;
* the caller refused (a bad token, or the public role with nothing to read): the REST error
  envelope `{"error": {"code", "message"}}`, as Directus 8's authentication answered before
  GraphQL ran.

A mutation operation runs in one transaction on the project database: if any of its fields
fails, nothing it wrote is kept and `data` is null (deviation 2).
"""

import json
import logging

from django.db import transaction
from django.http import HttpResponse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import GraphQLView, HttpError
from graphql import ExecutionResult, GraphQLError, OperationType, execute, get_operation_ast, parse, validate
from rest_framework.request import Request

from apps.auth.authentication import DirectusAuthentication
from apps.core import errors
from apps.core.handlers import json_error_response, to_directus_error
from apps.items.operations import ItemService
from apps.projects.context import require_project

from . import cache, limits
from .resolvers import GraphQLContext

logger = logging.getLogger("directus.graphql")


@method_decorator(csrf_exempt, name="dispatch")
class GraphQLEndpoint(GraphQLView):
    # The DRF authenticator asks the view whether 2FA may be skipped (never here).
    allow_without_2fa = False

    def __init__(self, **kwargs):
        # The schema is chosen per request; graphene-django's constructor insists on one.
        self.graphiql = False
        self.batch = False
        self.pretty = False
        self.middleware = None
        self.root_value = None
        self.execution_context_class = None
        self.validation_rules = None
        self.context = None
        self.built = None

    def dispatch(self, request, *args, **kwargs):
        try:
            if request.method not in ("GET", "POST"):
                raise errors.MethodNotAllowed(
                    "GraphQL only supports GET and POST requests.", headers={"Allow": "GET, POST"}
                )
            try:
                self.context = self._context(request)
            except Exception as exc:
                return self._refused(exc)
            data = self.parse_body(request)
            result, status = self.get_response(request, data)
            return HttpResponse(result, status=status, content_type="application/json")
        except HttpError as error:  # graphene-django's: bad `variables` JSON
            return self._error_response(errors.BadRequest(error.message), status=error.response.status_code)
        except Exception as exc:  # credentials, database trouble...: the error shape of this endpoint
            error = to_directus_error(exc)
            if error is None:
                logger.exception("GraphQL request failed", exc_info=exc)
                error = errors.InternalError()
            return self._error_response(error)

    # The caller and their schema -------------------------------------------------------------

    def _context(self, request) -> GraphQLContext:
        drf_request = Request(request, authenticators=[DirectusAuthentication()], parser_context={"view": self})
        identity = drf_request.user  # raises the Directus errors of REST (101, 102, 103, 113...)
        project = require_project()
        context = GraphQLContext(drf_request, ItemService.for_request(drf_request), None)
        schema = context.schema
        visible = cache.visibility(schema, context.items.guard, context.computed)
        if identity.is_public and not visible:
            raise errors.Unauthorized()
        context.built = self.built = cache.schema_for(project, schema, visible, context.computed)
        return context

    # The request body -------------------------------------------------------------------------

    def parse_body(self, request):
        """JSON body whatever the Content-Type (Directus 8 parsed the raw body), plus the
        `application/graphql` and form bodies graphene-django accepts."""
        if request.method != "POST":
            return {}
        content_type = self.get_content_type(request)
        if content_type == "application/graphql":
            return {"query": request.body.decode("utf-8", "replace")}
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return request.POST
        if not request.body.strip():
            return {}
        try:
            body = json.loads(request.body)
        except (TypeError, ValueError, UnicodeDecodeError, RecursionError):
            raise errors.InvalidPayload("The body is not valid JSON.") from None
        if not isinstance(body, dict):
            raise errors.InvalidPayload("The body must be a JSON object with a `query`.")
        return body

    # Executing --------------------------------------------------------------------------------

    def get_response(self, request, data, show_graphiql=False):
        query, variables, operation_name, _id = self.get_graphql_params(request, data)
        if variables is not None and not isinstance(variables, dict):
            raise errors.InvalidPayload("`variables` must be an object.")
        result = self.execute_graphql_request(request, data, query, variables, operation_name)
        response = {}
        status = 200
        if result.errors:
            response["errors"] = [self.format_error(error) for error in result.errors]
            if any(not getattr(error, "path", None) for error in result.errors):
                status = 400
        if status == 200:
            response["data"] = result.data
        return json.dumps(response, separators=(",", ":")), status

    def execute_graphql_request(self, request, data, query, variables, operation_name, show_graphiql=False):
        if not query or not isinstance(query, str):
            raise errors.InvalidPayload("Must provide a query string.")
        too_big = limits.too_many_tokens(query)
        if too_big is not None:
            return ExecutionResult(errors=[too_big])
        try:
            document = parse(query)
        except GraphQLError as error:
            return ExecutionResult(errors=[error])
        schema = self.built.schema.graphql_schema
        refused = validate(schema, document, [limits.LimitsRule])
        if not refused:
            refused = validate(schema, document)
        if refused:
            return ExecutionResult(errors=refused)
        operation = get_operation_ast(document, operation_name)
        options = {
            "context_value": self.context,
            "variable_values": variables,
            "operation_name": operation_name,
        }
        if operation is None or operation.operation != OperationType.MUTATION:
            return execute(schema, document, **options)
        if request.method != "POST":
            raise errors.MethodNotAllowed("Mutations are only accepted in POST requests.")
        with transaction.atomic(using=self.context.schema.alias):
            result = execute(schema, document, **options)
            if result.errors:
                transaction.set_rollback(True, using=self.context.schema.alias)
                return ExecutionResult(data=None, errors=result.errors)
        return result

    # Errors -----------------------------------------------------------------------------------

    def format_error(self, error) -> dict:
        """Directus errors keep their code and message; anything unexpected is logged and leaves
        as code 0 "Internal Server Error" (deviation 8: never SQL, files or lines)."""
        if not isinstance(error, GraphQLError):
            error = GraphQLError(str(error))
        original = error.original_error
        if original is None or isinstance(original, GraphQLError):
            return error.formatted
        directus_error = to_directus_error(original)
        if directus_error is None:
            logger.error("GraphQL resolver failed at %s", error.path, exc_info=original)
            directus_error = errors.InternalError()
        elif directus_error.status_code >= 500:
            logger.error("GraphQL resolver error at %s: %r", error.path, original, exc_info=original)
        formatted = {"message": directus_error.message}
        if error.locations:
            formatted["locations"] = [location.formatted for location in error.locations]
        if error.path is not None:
            formatted["path"] = error.path
        formatted["extensions"] = {"code": directus_error.code}
        return formatted

    def _refused(self, exc: Exception) -> HttpResponse:
        error = to_directus_error(exc)
        if error is None:
            logger.exception("GraphQL request failed", exc_info=exc)
            error = errors.InternalError()
        return json_error_response(error)

    def _error_response(self, error: errors.DirectusError, status: int | None = None) -> HttpResponse:
        body = {"errors": [{"message": error.message, "extensions": {"code": error.code}}]}
        response = HttpResponse(
            json.dumps(body, separators=(",", ":")),
            status=status or error.status_code,
            content_type="application/json",
        )
        for name, value in error.headers.items():
            response[name] = value
        return response
