"""GraphQL types of Directus field types (graphql.md § Item field types), as data.

Values reach GraphQL exactly as REST sends them (the reader's wire format), so the date and JSON
scalars pass them through unchanged: a `datetime` is the same `"2020-01-02 03:04:05"` string in
both APIs.
"""

import graphene
from graphene.types.generic import GenericScalar

from apps.schema.description import FieldInfo


class JSON(GenericScalar):
    """Any JSON value (objects, arrays, strings, numbers, booleans, null)."""


class DateTime(graphene.Scalar):
    """A datetime as REST sends it (`YYYY-MM-DD HH:MM:SS`, ISO 8601 for created/updated stamps)."""

    serialize = str
    parse_value = str

    @staticmethod
    def parse_literal(node, _variables=None):
        return getattr(node, "value", graphene.types.scalars.Undefined)


class Date(DateTime):
    """A date as REST sends it (`YYYY-MM-DD`)."""


class Time(DateTime):
    """A time as REST sends it (`HH:MM:SS`)."""


# Extra arguments of some system queries (graphql.md): argument -> field it must equal.
SYSTEM_ARGUMENTS = {
    "directus_collections": {"name": "collection"},
    "directus_fields": {"collection": "collection", "field": "field"},
}

# GraphQL type names (as the field types give them, apps.schema.types) -> graphene types.
SCALARS = {
    "ID": graphene.ID,
    "String": graphene.String,
    "Int": graphene.Int,
    "BigInt": graphene.BigInt,
    "Float": graphene.Float,
    "Boolean": graphene.Boolean,
    "JSON": JSON,
    "DateTime": DateTime,
    "Date": Date,
    "Time": Time,
}


def graphene_type(name: str):
    """The graphene type of a GraphQL type name (`[String]`: a list of strings)."""
    if name.startswith("["):
        return graphene.List(SCALARS[name[1:-1]])
    return SCALARS[name]


def output_scalar(info: FieldInfo):
    """The scalar (or list of scalars) a non-expanded field's values have."""
    return graphene_type(info.field_type.graphql_type(info))


def key_input(info: FieldInfo):
    """The argument type of a primary key (`id: Int` for integer keys, graphql.md)."""
    return graphene_type(info.field_type.graphql_key(info))


# Filter operators offered per kind of field (`FieldType.filter_kind`; graphql.md § Filter input,
# widened to what REST accepts for that kind). Keys are `<field>_<operator>`.
_ORDERED = ("eq", "neq", "lt", "lte", "gt", "gte", "in", "nin", "between", "nbetween", "null", "nnull")
_TEXT = ("eq", "neq", "contains", "ncontains", "rlike", "nrlike", "in", "nin", "empty", "nempty", "null", "nnull")
OPERATORS_BY_KIND = {
    "boolean": ("eq", "neq", "null", "nnull"),
    "ordered": _ORDERED,
    "choice": ("eq", "neq", "in", "nin", "null", "nnull"),
    "text": _TEXT,
    "m2o": ("eq", "neq", "in", "nin", "null", "nnull", "contains", "ncontains", "rlike", "nrlike"),
    "to_many": ("has", "nhas", "all", "empty"),
}
# Operators whose value is a CSV list, a count, or ignored (presence is the condition).
LIST_OPERATORS = frozenset({"in", "nin", "between", "nbetween", "all"})
COUNT_OPERATORS = frozenset({"has", "nhas"})
FLAG_OPERATORS = frozenset({"null", "nnull", "empty", "nempty"})
TEXT_OPERATORS = frozenset({"contains", "ncontains", "rlike", "nrlike"})


def filter_input_scalar(info: FieldInfo, operator: str):
    """The GraphQL input type of `<field>_<operator>`."""
    if operator in LIST_OPERATORS or operator in TEXT_OPERATORS:
        return graphene.String
    if operator in COUNT_OPERATORS:
        return graphene.Int
    if operator in FLAG_OPERATORS:
        return graphene.Boolean
    return graphene_type(info.field_type.graphql_input(info))
