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

# Directus type -> scalar of its values (relations aside; see `output_scalar`).
SCALARS = {
    "boolean": graphene.Boolean,
    "integer": graphene.Int,
    "sort": graphene.Int,
    "decimal": graphene.Float,
    "json": JSON,
    "datetime": DateTime,
    "datetime_created": DateTime,
    "datetime_updated": DateTime,
    "date": Date,
    "time": Time,
}
# Integer columns whose values do not fit GraphQL's 32-bit Int.
WIDE_INTEGERS = frozenset({"BIGINT", "SERIAL"})
INTEGER_DATATYPES = frozenset({"TINYINT", "SMALLINT", "MEDIUMINT", "INT", "INTEGER", "BIGINT", "SERIAL", "YEAR"})


def _integer(info: FieldInfo):
    if info.column is not None and info.column.datatype.upper() in WIDE_INTEGERS:
        return graphene.BigInt
    return graphene.Int


def output_scalar(info: FieldInfo):
    """The scalar (or list of scalars) a non-expanded field's values have."""
    if info.primary_key:
        return graphene.ID
    if info.type == "array":
        return graphene.List(graphene.String)
    scalar = SCALARS.get(info.type)
    if scalar is graphene.Int:
        return _integer(info)
    if scalar is not None:
        return scalar
    # Foreign keys shown raw (file, owner, m2o... into a collection the caller may not read).
    if info.column is not None and info.column.datatype.upper() in INTEGER_DATATYPES:
        return _integer(info)
    return graphene.String


def key_input(info: FieldInfo):
    """The argument type of a primary key (`id: Int` for integer keys, graphql.md)."""
    if info.column is not None and info.column.datatype.upper() in INTEGER_DATATYPES:
        return _integer(info)
    return graphene.ID


# Filter operators offered per kind of field (graphql.md § Filter input, widened to what REST
# accepts for that kind). Keys are `<field>_<operator>`.
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
_ORDERED_TYPES = frozenset(
    {"integer", "decimal", "sort", "date", "time", "datetime", "datetime_created", "datetime_updated"}
)
_CHOICE_TYPES = frozenset({"status", "owner", "user_updated", "user", "lang"})


def filter_kind(info: FieldInfo, relation_kind: str | None) -> str | None:
    if relation_kind in {"o2m", "m2m"}:
        return "to_many"
    if info.alias:
        return None
    if info.primary_key:
        return "ordered"
    if info.type == "boolean":
        return "boolean"
    if info.type in _CHOICE_TYPES:
        return "choice"
    if relation_kind == "m2o":
        return "m2o"
    if info.type in _ORDERED_TYPES:
        return "ordered"
    return "text"


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
    if info.primary_key:
        return graphene.ID
    if info.type == "boolean":
        return graphene.Boolean
    scalar = output_scalar(info)
    if scalar in (graphene.Int, graphene.BigInt, graphene.Float):
        return scalar
    return graphene.String
