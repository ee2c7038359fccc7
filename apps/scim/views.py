"""`/:project/scim/v2/Users` and `/Groups` (scim.md, RFC 7644).

Why these views are ours rather than django-scim2's `UsersView`/`GroupsView`: the library's views
authenticate through Django's `request.user` and a middleware of their own, search with raw SQL
built for one fixed `db_table`, write with `obj.save()` inside `transaction.atomic()` on the
default database, and answer 400 where Directus answers 422. Here the users and roles live in
the current project's database, are written through the item service (the users'/roles' rules,
permission rows, activity and revisions, one transaction on the project database), and callers
authenticate with Directus tokens. What is reused: django-scim2's adapters (`SCIMMixin`, for
PatchOp paths) and exceptions, and scim2-filter-parser for filters (apps.scim.filters).

Responses carry `Content-Type: application/scim+json;charset=utf-8` and no Directus envelope;
errors are SCIM error bodies with the HTTP status of the underlying Directus error.

Any authenticated role may call SCIM; it sees what /users and /roles show it: the rows its read
permission allows (row filter), without the columns its read blacklist hides and the users'
private columns (apps.access.engine), in resources, filters and group members alike."""

import json
import logging
from collections.abc import Callable
from functools import cached_property

from django.http import HttpResponse
from django_scim import exceptions as scim_errors
from django_scim.constants import SchemaURI
from rest_framework.views import set_rollback

from apps.core import errors
from apps.core.handlers import to_directus_error
from apps.core.parsers import JSONParser
from apps.core.views import DirectusView
from apps.items.operations import ItemService
from apps.projects.context import require_project
from apps.roles.models import Role
from apps.schema.cache import project_schema
from apps.users.models import User
from directus.conf import directus_settings

from . import filters
from .adapters import GroupAdapter, UserAdapter

logger = logging.getLogger("directus.scim")

CONTENT_TYPE = "application/scim+json;charset=utf-8"


class ScimJSONParser(JSONParser):
    media_type = "application/scim+json"


def scim_response(data, *, status: int = 200, headers: dict | None = None) -> HttpResponse:
    content = "" if data is None else json.dumps(data, ensure_ascii=False)
    response = HttpResponse(content, content_type=CONTENT_TYPE, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def scim_error_of(exc) -> scim_errors.SCIMException:
    if isinstance(exc, scim_errors.SCIMException):
        return exc
    error = to_directus_error(exc)
    if error is None:
        logger.exception("Unhandled error in a SCIM request", exc_info=exc)
        error = errors.InternalError()
    scim_type = getattr(error, "scim_type", None)
    if scim_type is None and isinstance(error, errors.DuplicateKey):
        scim_type = "uniqueness"
    return scim_errors.SCIMException(error.message, status=error.status_code, scim_type=scim_type)


class ScimView(DirectusView):
    parser_classes = [ScimJSONParser, JSONParser]
    collection_name = ""
    model = None
    resource: filters.Resource = filters.USERS

    def handle_exception(self, exc):
        error = scim_error_of(exc)
        if error.status >= 500:
            logger.error("%s %s -> %s: %r", self.request.method, self.request.path, error.status, exc)
        else:
            logger.info("%s %s -> %s: %s", self.request.method, self.request.path, error.status, error.detail)
        set_rollback()
        headers = {}
        if error.status == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="api"'
        return scim_response(error.to_dict(), status=error.status, headers=headers)

    # Helpers -------------------------------------------------------------------------------------

    def info(self, name: str | None = None):
        info = project_schema().collection(name or self.collection_name)
        if info is None:
            raise errors.CollectionNotFound(f"Unable to find collection: {name or self.collection_name}")
        return info

    def base_url(self) -> str:
        root = str(directus_settings.PUBLIC_URL or "").rstrip("/") or self.request.build_absolute_uri("/").rstrip("/")
        return f"{root}/{require_project().key}/scim/v2"

    @cached_property
    def items(self) -> ItemService:
        """The item service of this request's caller: every read and write goes through it."""
        return ItemService.for_request(self.request, self.query)

    def readable_columns(self, collection: str) -> Callable[[str], bool]:
        """Whether the caller may read a column of `collection`: not on their role's read
        blacklist, nor one of the users' private columns (once per request and collection)."""
        if not hasattr(self, "_readable_columns"):
            self._readable_columns = {}
        if collection not in self._readable_columns:
            columns = self.items.guard.readable_fields(self.info(collection))
            self._readable_columns[collection] = (lambda column: True) if columns is None else columns.__contains__
        return self._readable_columns[collection]

    def readable(self, model, collection: str):
        """The rows of `collection` the caller may read (401/403 when none at all)."""
        return self.items.readable_rows(self.info(collection), model.objects.all())

    def body(self) -> dict:
        data = self.request.data
        if not data or not isinstance(data, dict):
            raise errors.InvalidPayload()
        return data

    def get_object(self, scim_id: str):
        rows = self.readable(self.model, self.collection_name)
        if not self.readable_columns(self.collection_name)("external_id"):
            # The SCIM id is the external_id: looking rows up by it would probe a hidden column.
            raise errors.ReadFieldDenied('Reading attribute "id" was denied')
        obj = rows.filter(external_id=scim_id).first()
        if obj is None:
            raise scim_errors.NotFoundError(scim_id)
        return obj

    def written(self, pk):
        """The row just written, if the caller may read it (read in the writing transaction)."""
        if not self.items.guard.can_read(self.info()):
            return None
        return self.readable(self.model, self.collection_name).filter(pk=pk).first()

    def filter_scope(self) -> filters.Scope:
        return filters.Scope(readable=self.readable_columns(self.collection_name))

    def adapter(self, obj, members=None):
        raise NotImplementedError

    def resource_response(self, obj, *, status: int = 200):
        if obj is None:
            # Written, but not readable by the caller (as /users answers such writes with 204).
            return scim_response(None, status=201 if status == 201 else 204)
        adapter = self.adapter(obj)
        location = adapter.location
        return scim_response(adapter.to_dict(), status=status, headers={"Location": location} if location else {})

    # Operations ------------------------------------------------------------------------------------

    def list_resources(self):
        queryset = self.readable(self.model, self.collection_name)
        text = self.request.query_params.get("filter")
        if text is not None:
            queryset = queryset.filter(filters.to_q(text, self.resource, self.filter_scope()))
        queryset = queryset.order_by("pk")
        start = _positive("startIndex", self.request.query_params.get("startIndex"))
        count = _positive("count", self.request.query_params.get("count"), minimum=0)
        offset = (start or 1) - 1
        cap = directus_settings.MAX_RESULT_ROWS
        limit = cap if count is None else min(count, cap)
        total = queryset.count()
        rows = list(queryset[offset : offset + limit]) if limit else []
        document = {"schemas": [SchemaURI.LIST_RESPONSE]}
        if start is not None:
            document["startIndex"] = start
        if count is not None:
            document["itemsPerPage"] = len(rows)
        document["totalResults"] = total
        document["Resources"] = self.dicts(rows)
        return scim_response(document)

    def dicts(self, rows) -> list[dict]:
        return [self.adapter(row).to_dict() for row in rows]

    def create(self):
        body = self.body()
        adapter = self.adapter(None)
        adapter.from_dict(body, creating=True)
        self.check_create(adapter.changes)
        with self.items.atomic():
            (pk,) = self.items.create(self.info(), [adapter.changes]).keys
            written = self.written(pk)
        return self.resource_response(written, status=201)

    def check_create(self, changes: dict) -> None:
        pass

    def replace(self, scim_id: str, *, patch: bool):
        body = self.body()
        with self.items.atomic():
            obj = self.get_object(scim_id)
            adapter = self.adapter(obj)
            operations = body.get("Operations")
            if patch and (operations is not None or SchemaURI.PATCH_OP in (body.get("schemas") or [])):
                adapter.apply_operations(operations)
            else:
                adapter.from_dict(body)
            if adapter.changes:
                self.items.update(self.info(), [obj.pk], adapter.changes)
            written = self.written(obj.pk)
        return self.resource_response(written)


def _positive(name: str, raw, *, minimum: int = 1) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise scim_errors.BadRequestError(f"{name} must be an integer", scim_type="invalidValue") from None
    return max(value, minimum)  # RFC 7644 § 3.4.2.4: below 1 (count: below 0) is read as the minimum


# -- Users ---------------------------------------------------------------------------------------------


class UsersBase(ScimView):
    collection_name = "directus_users"
    model = User
    resource = filters.USERS

    def adapter(self, obj, members=None):
        return UserAdapter(
            obj, self.request, base_url=self.base_url(), readable=self.readable_columns(self.collection_name)
        )

    def check_create(self, changes: dict) -> None:
        if changes.get("email") in (None, ""):
            raise errors.InvalidRequest("userName: This value should not be blank.")


class ResourcesRoutes:
    """`/Users`, `/Groups`: search and create."""

    def get(self, request):
        return self.list_resources()

    def post(self, request):
        return self.create()


class ResourceRoutes:
    """`/Users/:id`, `/Groups/:id`: read, replace, patch."""

    def get(self, request, scim_id: str):
        return self.resource_response(self.get_object(scim_id))

    def put(self, request, scim_id: str):
        return self.replace(scim_id, patch=False)

    def patch(self, request, scim_id: str):
        return self.replace(scim_id, patch=True)


class UsersView(ResourcesRoutes, UsersBase):
    pass


class UserView(ResourceRoutes, UsersBase):
    pass


# -- Groups --------------------------------------------------------------------------------------------


class GroupsBase(ScimView):
    collection_name = "directus_roles"
    model = Role
    resource = filters.GROUPS

    def readable_users(self):
        """The users the caller may read, or None when they may not read users at all."""
        if not self.items.guard.can_read(self.info("directus_users")):
            return None
        return self.readable(User, "directus_users")

    def filter_scope(self) -> filters.Scope:
        return filters.Scope(
            readable=self.readable_columns(self.collection_name),
            members=self.readable_users(),
            member_readable=self.readable_columns("directus_users"),
        )

    def members_of(self, role_ids) -> dict[int, list[User]]:
        """Users having each role, as far as the caller may read users and their role."""
        users = self.readable_users()
        if users is None or not self.readable_columns("directus_users")("role"):
            return {}
        members: dict[int, list[User]] = {}
        for user in users.filter(role__in=list(role_ids)).order_by("pk"):
            members.setdefault(user.role, []).append(user)
        return members

    def adapter(self, obj, members=None):
        if members is None and obj is not None:
            members = self.members_of([obj.pk]).get(obj.pk, [])
        return GroupAdapter(
            obj,
            self.request,
            base_url=self.base_url(),
            readable=self.readable_columns(self.collection_name),
            members=members,
            member_readable=self.readable_columns("directus_users"),
        )

    def dicts(self, rows) -> list[dict]:
        members = self.members_of([row.pk for row in rows])
        return [self.adapter(row, members.get(row.pk, [])).to_dict() for row in rows]

    def check_create(self, changes: dict) -> None:
        if changes.get("name") in (None, ""):
            raise errors.InvalidRequest("displayName: This value should not be blank.")


class GroupsView(ResourcesRoutes, GroupsBase):
    pass


class GroupView(ResourceRoutes, GroupsBase):
    def delete(self, request, scim_id: str):
        with self.items.atomic():
            obj = self.get_object(scim_id)
            self.items.delete(self.info(), [obj.pk])
        return scim_response(None, status=204)


class ServiceProviderConfigView(ScimView):
    """What this service provider supports (RFC 7643 § 5), for clients that ask."""

    def get(self, request):
        return scim_response(
            {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
                "patch": {"supported": True},
                "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
                "filter": {"supported": True, "maxResults": directus_settings.MAX_RESULT_ROWS},
                "changePassword": {"supported": False},
                "sort": {"supported": False},
                "etag": {"supported": False},
                "authenticationSchemes": [
                    {
                        "type": "oauthbearertoken",
                        "name": "Bearer token",
                        "description": "A Directus static token or access token (Authorization: Bearer ...)",
                    }
                ],
            }
        )
