"""SCIM `filter` (RFC 7644 § 3.4.2.2) → a Django Q over directus_users / directus_roles.

The filter is parsed by scim2-filter-parser (the parser django-scim2 uses); the tree is turned
into a Q here, against an explicit table of the attributes each resource supports, so that an
attribute we do not know is an error (`422`, scimType `invalidFilter`) instead of being dropped
silently, as the library's generic transpilers do. Every operator (`eq ne co sw ew pr gt ge lt
le`), `and`/`or`/`not`, grouping and value paths (`emails[type eq "work"]`) are understood.

For Directus 8 clients, a filter that is not valid SCIM but has the form `<attribute> eq <value>`
with an unquoted value (scim.md: "value may be quoted") is read that way.

A filter sees what the caller may read (`Scope`): naming an attribute backed by a column the
caller's read blacklist hides answers `403` code `304`, as `filter[...]` does on /users
(deviation 4), and `members` reaches only the users the caller may read."""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from scim2_filter_parser import ast
from scim2_filter_parser.lexer import SCIMLexer
from scim2_filter_parser.parser import SCIMParser

from apps.core import errors
from apps.core.text import NUL

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"

ALL = Q(pk__isnull=False)
NONE = Q(pk__in=[])
MAX_FILTER_LENGTH = 2000

_LOOKUPS = {"co": "contains", "sw": "startswith", "ew": "endswith", "gt": "gt", "ge": "gte", "lt": "lt", "le": "lte"}
_UNQUOTED_EQ = re.compile(r"^\s*([A-Za-z][\w.:-]*)\s+eq\s+(\S.*?)\s*$", re.IGNORECASE)


class InvalidFilter(errors.InvalidRequest):
    """A filter that does not parse or names an attribute the resource does not have."""

    scim_type = "invalidFilter"


@dataclass(frozen=True)
class Attribute:
    """How one SCIM attribute maps onto the table."""

    kind: str  # text, integer, active, constant, members
    column: str = ""  # the column compared (and that the caller must be able to read)
    case_exact: bool = False
    constant: object = None


USER_ATTRIBUTES = {
    ("username", None): Attribute("text", "email"),
    ("emails", None): Attribute("text", "email"),
    ("emails", "value"): Attribute("text", "email"),
    ("emails", "type"): Attribute("constant", "email", constant="work"),
    ("emails", "primary"): Attribute("constant", "email", constant=True),
    ("id", None): Attribute("text", "external_id", case_exact=True),
    ("externalid", None): Attribute("integer", "id"),
    ("name", "givenname"): Attribute("text", "first_name"),
    ("name", "familyname"): Attribute("text", "last_name"),
    ("locale", None): Attribute("text", "locale"),
    ("timezone", None): Attribute("text", "timezone"),
    ("active", None): Attribute("active", "status"),
}
GROUP_ATTRIBUTES = {
    ("displayname", None): Attribute("text", "name"),
    ("id", None): Attribute("text", "external_id", case_exact=True),
    ("externalid", None): Attribute("integer", "id"),
    ("members", None): Attribute("members", "email"),
    ("members", "value"): Attribute("members", "email"),
}


@dataclass(frozen=True)
class Resource:
    schema: str
    attributes: dict


USERS = Resource(USER_SCHEMA, USER_ATTRIBUTES)
GROUPS = Resource(GROUP_SCHEMA, GROUP_ATTRIBUTES)


@dataclass(frozen=True)
class Scope:
    """What the caller may read, as filters need it."""

    # Whether a column of the resource's table is readable (not on the read blacklist).
    readable: Callable[[str], bool]
    # For groups: the users the caller may read, and whether a column of theirs is readable;
    # None when the caller may not read users at all.
    members: QuerySet | None = None
    member_readable: Callable[[str], bool] = lambda column: False


def parse(text: str):
    if not isinstance(text, str) or not text.strip():
        raise InvalidFilter("Invalid filter: the filter is empty")
    if len(text) > MAX_FILTER_LENGTH:
        raise InvalidFilter(f"Invalid filter: longer than {MAX_FILTER_LENGTH} characters")
    try:
        return SCIMParser().parse(SCIMLexer().tokenize(text))
    except Exception:  # the lexer and parser raise several kinds of errors
        match = _UNQUOTED_EQ.match(text)
        if match is None or '"' in match.group(2):
            raise InvalidFilter(f"Invalid filter: {text}") from None
        name, value = match.groups()
        uri, _, attribute = name.rpartition(":") if name.lower().startswith("urn:") else ("", "", name)
        head, _, sub = attribute.partition(".")
        path = ast.AttrPath(head, ast.SubAttr(sub) if sub else None, uri or None)
        return ast.Filter(ast.AttrExpr("eq", path, ast.CompValue(value)), False, None)


def to_q(text: str, resource: Resource, scope: Scope) -> Q:
    tree = parse(text)
    if tree is None:
        raise InvalidFilter(f"Invalid filter: {text}")
    return _Builder(resource, scope).build(tree, None)


class _Builder:
    def __init__(self, resource: Resource, scope: Scope):
        self.resource = resource
        self.scope = scope

    def build(self, node, namespace) -> Q:
        if isinstance(node, ast.Filter):
            inner = node.namespace or namespace
            query = self.build(node.expr, inner)
            return ~query if node.negated else query
        if isinstance(node, ast.LogExpr):
            left, right = self.build(node.expr1, namespace), self.build(node.expr2, namespace)
            return left & right if node.op.lower() == "and" else left | right
        if isinstance(node, ast.AttrExpr):
            return self.expression(node, namespace)
        raise InvalidFilter("Invalid filter")

    def expression(self, node: ast.AttrExpr, namespace) -> Q:
        path = node.attr_path
        operator = node.value.lower()
        value = self.value(node.comp_value)
        if isinstance(path.attr_name, ast.Filter):
            # emails[type eq "work"].value eq "x": the bracket filter and the comparison, both on emails.
            inner = path.attr_name
            target = inner.namespace
            condition = self.build(inner.expr, ast.AttrPath(target.attr_name, None, target.uri))
            sub = target.sub_attr.value if target.sub_attr else None
            return condition & self.compare(self.attribute(target.attr_name, sub, target.uri), operator, value)
        if namespace is not None:
            if path.sub_attr is not None:
                raise InvalidFilter("Invalid filter: nested sub-attributes")
            attribute = self.attribute(namespace.attr_name, path.attr_name, namespace.uri or path.uri)
        else:
            sub = path.sub_attr.value if path.sub_attr else None
            attribute = self.attribute(path.attr_name, sub, path.uri)
        return self.compare(attribute, operator, value)

    def attribute(self, name: str, sub: str | None, uri: str | None) -> Attribute:
        label = f"{name}.{sub}" if sub else name
        if uri and uri.lower() != self.resource.schema.lower():
            raise InvalidFilter(f'Invalid filter: unknown attribute "{uri}:{label}"')
        found = self.resource.attributes.get((name.lower(), sub.lower() if sub else None))
        if found is None:
            raise InvalidFilter(f'Invalid filter: unknown attribute "{label}"')
        self.check_readable(found, label)
        return found

    def check_readable(self, attribute: Attribute, label: str) -> None:
        """Refused rather than matching nothing: an identity provider that finds no user for
        `userName eq "..."` goes on to create one, and a `not (...)` around a filter that
        matches nothing would match everything; a 403 tells the operator what is missing."""
        scope = self.scope
        if attribute.kind == "members":
            # Membership is the users' `role` column; a member's value is their email.
            readable = scope.members is not None and all(map(scope.member_readable, ("role", attribute.column)))
        else:
            readable = not attribute.column or scope.readable(attribute.column)
        if not readable:
            raise errors.ReadFieldDenied(f'Filtering on attribute "{label}" was denied')

    @staticmethod
    def value(node):
        if node is None:
            return None
        text = node.value
        return {"true": True, "false": False, "null": None}.get(text, text) if isinstance(text, str) else text

    def compare(self, attribute: Attribute, operator: str, value) -> Q:
        if attribute.kind == "constant":
            return _constant(attribute.constant, operator, value)
        if attribute.kind == "active":
            return _active(operator, value)
        if attribute.kind == "integer":
            return _integer(attribute.column, operator, value)
        if attribute.kind == "members":
            users = self.scope.members.filter(role__isnull=False)
            if operator != "pr":
                users = users.filter(_text(attribute.column, False, operator, value))
            return Q(pk__in=users.values("role"))
        return _text(attribute.column, attribute.case_exact, operator, value)


def _text(column: str, case_exact: bool, operator: str, value) -> Q:
    if operator == "pr":
        return Q(**{f"{column}__isnull": False}) & ~Q(**{column: ""})
    if value is None:
        if operator in ("eq", "ne"):
            query = Q(**{f"{column}__isnull": True})
            return ~query if operator == "ne" else query
        raise InvalidFilter("Invalid filter: null compares with eq and ne only")
    if isinstance(value, bool):
        value = "true" if value else "false"
    if isinstance(value, str) and NUL in value:
        # No stored text holds one (apps.core.text): equal to nothing, different from all.
        return ALL if operator == "ne" else NONE
    if operator in ("eq", "ne"):
        query = Q(**{column if case_exact else f"{column}__iexact": value})
        return ~query if operator == "ne" else query
    lookup = _LOOKUPS.get(operator)
    if lookup is None:
        raise InvalidFilter(f'Invalid filter: unknown operator "{operator}"')
    if not case_exact and lookup in ("contains", "startswith", "endswith"):
        lookup = "i" + lookup
    return Q(**{f"{column}__{lookup}": value})


def _integer(column: str, operator: str, value) -> Q:
    if operator == "pr":
        return ALL
    if operator not in ("eq", "ne", "gt", "ge", "lt", "le"):
        raise InvalidFilter(f'Invalid filter: "{operator}" does not compare numbers')
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return NONE if operator != "ne" else ALL
    if operator in ("eq", "ne"):
        query = Q(**{column: number})
        return ~query if operator == "ne" else query
    return Q(**{f"{column}__{_LOOKUPS[operator]}": number})


def _active(operator: str, value) -> Q:
    if operator == "pr":
        return ALL
    if operator not in ("eq", "ne") or not isinstance(value, bool):
        raise InvalidFilter("Invalid filter: active compares with eq or ne to true or false")
    query = Q(status="active") if value else ~Q(status="active")
    return ~query if operator == "ne" else query


def _constant(constant, operator: str, value) -> Q:
    if operator == "pr":
        return ALL
    if operator not in ("eq", "ne"):
        raise InvalidFilter(f'Invalid filter: "{operator}" is not supported on this attribute')
    same = str(constant).lower() == str(value).lower() if not isinstance(constant, bool) else constant == value
    if operator == "ne":
        same = not same
    return ALL if same else NONE
