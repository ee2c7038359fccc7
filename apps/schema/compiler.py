"""Parsed `filter`, `sort` and `q` checked against a collection description and turned into
Django `Q` objects and `order_by` expressions on the project's run-time models.

    q = compile_filter(query.filter, collection, schema, readable=...)
    order = compile_sort(query.sort, collection, nulls_last=settings.sort_null_last)
    search = compile_search(query.q, collection, fields=readable_fields)
    model.objects.filter(q, search).order_by(*order)

* Lookups use each field's `attname` (the attribute on the run-time model). The run-time models
  have no ForeignKey fields: every relational step is an `IN (SELECT ...)` subquery on the
  related model (M2O: `<fk>__in`, O2M and M2M: `pk__in` over the child's / junction's key).
* Values are cast with the model field (`to_python`) and always bound as parameters; a value the
  field cannot hold is `422` code `4`, never a database error.
* Negated comparisons keep SQL's meaning: `neq`, `nin`, `ncontains`, `nrlike`, `nbetween` never
  match NULL (Django's `~Q` alone would add `OR col IS NULL`).
* The like family is case-insensitive on every engine (Directus 8 ran on MySQL's
  case-insensitive collations): `contains`/`like` use Django's `icontains` (which escapes `%`,
  `_` and `\\`); `rlike` uses the pattern as given (`ILIKE` on PostgreSQL, `LIKE` elsewhere).

Permissions: `readable` is None (no restriction), a set of readable field names of the
collection being queried (related collections unrestricted: fine for tests and admins, not for
other roles), or a mapping collection -> set of readable field names (a collection missing from
the mapping is unreadable; this is what the permission engine should pass, as dot paths and the
like family on M2O fields reach into related collections). A filter, sort or
`fields` entry naming a field the caller may not read is `403` code `304` (deviations.md #4); a
relational path into an unreadable collection is `403` code `215`.

`rows(collection_name)` gives the caller's row restriction on a related collection (a Q, None for
every row, False for none), as for reading it: a path through a relation matches only related
rows the caller may read, or the filter would be an oracle for the others (deviation 20).
"""

import binascii
import datetime
import decimal
import math
from collections.abc import Callable, Iterable, Mapping, Sequence, Set

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, Lookup, Q
from django.db.models.functions import Random
from django.utils import timezone

from apps.core import errors
from apps.core.query.fields import FieldsTree
from apps.core.query.filters import Condition, Group, Node
from apps.core.query.params import SortItem
from apps.core.text import NUL

from .description import CollectionInfo, FieldInfo

Readable = Set[str] | Mapping[str, Set[str]] | None
RowRestriction = Callable[[str], Q | bool | None] | None

TO_MANY = frozenset({"o2m", "m2m"})

# The error for a named field the caller may not read (deviations.md #4; query.md says 215
# for filters in Directus 8).
FieldDenied = errors.ReadFieldDenied

_MAX_INT = 2**63 - 1
_BOOLEANS = {"1": True, "true": True, "t": True, "on": True, "yes": True}
_BOOLEANS |= {"0": False, "false": False, "f": False, "off": False, "no": False}


class RawLike(Lookup):
    """`col LIKE pattern` with the pattern as given (`%` any run, `_` one character),
    case-insensitive on every engine like MySQL's default collations."""

    lookup_name = "directus_rlike"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        params = (*lhs_params, *rhs_params)
        if connection.vendor == "postgresql":
            return f"({lhs})::text ILIKE {rhs}", params
        if connection.vendor == "sqlite":
            return f"{lhs} LIKE {rhs} ESCAPE '\\'", params
        return f"{lhs} LIKE {rhs}", params


def _always() -> Q:
    return Q(pk__isnull=False)


def _never() -> Q:
    return Q(pk__in=[])


def _has_nul(value) -> bool:
    """A value with a NUL matches nothing, and is never sent (apps.core.text)."""
    return isinstance(value, str) and NUL in value


def _sql_not(q: Q, attname: str) -> Q:
    """NOT q with SQL's NULL semantics: rows whose column is NULL never match."""
    return ~q & Q(**{f"{attname}__isnull": False})


class _Access:
    def __init__(self, readable: Readable, root: str):
        self.readable = readable
        self.root = root

    def fields_of(self, collection: str) -> Set[str] | None:
        """Readable fields of a collection (None: all); 215 when it is not readable at all."""
        if self.readable is None:
            return None
        if isinstance(self.readable, Mapping):
            if collection not in self.readable:
                raise errors.RelatedDataDenied(f'Unable to access "{collection}" related data')
            return self.readable[collection]
        return self.readable if collection == self.root else None

    def check(self, collection: str, name: str) -> None:
        fields = self.fields_of(collection)
        if fields is not None and name not in fields:
            raise FieldDenied(f'Reading field "{name}" of "{collection}" was denied')


def _schema(schema):
    if schema is None:
        from .cache import project_schema

        schema = project_schema()
    return schema


# filter ------------------------------------------------------------------------------------------


def compile_filter(
    node: Node | None,
    collection: CollectionInfo,
    schema=None,
    *,
    readable: Readable = None,
    rows: RowRestriction = None,
    now: datetime.datetime | None = None,
) -> Q:
    """A filter tree as a Q over `collection`'s run-time model (`Q()` when there is nothing to
    filter). `schema` is the ProjectSchema (default: the current project's)."""
    if node is None:
        return Q()
    compiler = _FilterCompiler(_schema(schema), _Access(readable, collection.name), now, rows)
    q = compiler.node(node, collection)
    return Q() if q is None else q


def mentions_now(node) -> bool:
    """Whether a filter names `now`, whose value differs from one request to the next."""
    if node is None:
        return False
    if isinstance(node, Group):
        return any(mentions_now(child) for child in node.children)
    values = node.value if isinstance(node.value, tuple) else (node.value,)
    return any(isinstance(value, str) and value.strip().lower() == "now" for value in values)


def related_collections(node, collection: CollectionInfo, schema=None) -> frozenset[str]:
    """The collections other than `collection` whose rows a filter reads through relations,
    so that a kept statement can be named by their row restrictions too. Unknown names are
    skipped here (compiling reports them)."""
    if node is None:
        return frozenset()
    if isinstance(node, Group):
        return frozenset().union(*(related_collections(child, collection, schema) for child in node.children))
    schema = _schema(schema)
    found = set()
    current = collection
    for name in node.path:
        info = current.fields.get(name) if current is not None else None
        if info is None or info.relation is None:
            break
        target = schema.collection(info.relation.collection)
        if target is None:
            break
        found.add(target.name)
        current = target
    return frozenset(found)


class _FilterCompiler:
    def __init__(self, schema, access: _Access, now: datetime.datetime | None, rows: RowRestriction = None):
        self.schema = schema
        self.access = access
        self.now = (now or timezone.now()).replace(microsecond=0)
        self.rows = rows

    def related_rows(self, collection: CollectionInfo):
        """The rows of a related collection a path may reach: those the caller may read."""
        queryset = self.schema.model(collection.name)._default_manager.all()
        restriction = None if self.rows is None else self.rows(collection.name)
        if restriction is False:
            return queryset.filter(_never())
        return queryset if restriction is None else queryset.filter(restriction)

    def node(self, node: Node, collection: CollectionInfo) -> Q | None:
        if isinstance(node, Condition):
            return self.condition(node, collection)
        if not isinstance(node, Group):
            raise TypeError(f"not a filter node: {node!r}")
        parts = [q for q in (self.node(child, collection) for child in node.children) if q is not None]
        if not parts:
            return None
        result = parts[0]
        for part in parts[1:]:
            result = (result | part) if node.logical == "or" else (result & part)
        return result

    # Paths --------------------------------------------------------------------------------------

    def condition(self, condition: Condition, collection: CollectionInfo) -> Q | None:
        steps: list[tuple[FieldInfo, CollectionInfo, CollectionInfo]] = []
        current = collection
        for segment in condition.path[:-1]:
            info = current.fields.get(segment)
            if info is None or info.relation is None:
                raise errors.FieldNotFound(f'Unable to find field "{segment}"')
            self.access.check(current.name, segment)
            target = self.schema.collection(info.relation.collection)
            if target is None or self.schema.model(target.name) is None:
                raise errors.FieldNotFound(f'Unable to find field "{segment}"')
            self.access.fields_of(target.name)
            steps.append((info, current, target))
            current = target
        name = condition.path[-1]
        info = current.fields.get(name)
        if info is None:
            raise errors.InvalidField(f'Invalid field "{name}" in "{current.name}"')
        self.access.check(current.name, name)
        q = self.leaf(condition, current, info)
        if q is None:
            return None
        for info, parent, target in reversed(steps):
            q = self.through(info, parent, target, q)
        return q

    def through(self, info: FieldInfo, parent: CollectionInfo, target: CollectionInfo, q: Q) -> Q:
        """`q` on `target` as a condition on `parent` rows related to any matching target row."""
        matching = self.related_rows(target).filter(q)
        if info.relation.kind == "m2o":
            return Q(**{f"{info.attname}__in": matching.values(target.primary_key.attname)})
        key = self._child_key(info, target)
        return Q(pk__in=matching.values(key.attname))

    def _child_key(self, info: FieldInfo, child: CollectionInfo) -> FieldInfo:
        key = child.fields.get(info.relation.field_many or "")
        if key is None or key.alias:
            raise errors.FieldNotFound(f'Unable to find field "{info.name}"')
        return key

    # One field ------------------------------------------------------------------------------------

    def leaf(self, condition: Condition, collection: CollectionInfo, info: FieldInfo) -> Q | None:
        op = condition.operator
        relation = info.relation
        if info.alias:
            if relation is not None and relation.kind in TO_MANY:
                return self.to_many(condition, collection, info)
            if op.to_many_only:
                raise errors.UnprocessableEntity(f'Operator "{condition.given}" only works for one-to-many fields')
            raise errors.UnprocessableEntity(f'Unable to filter by "{info.name}" field because it is an alias.')
        if op.to_many_only:
            raise errors.UnprocessableEntity(f'Operator "{condition.given}" only works for one-to-many fields')
        if condition.ignored:
            return None
        model_field = self._model_field(collection, info)
        if op.like_family and relation is not None and relation.kind == "m2o":
            return self.m2o_search(condition, info)
        return self.column(condition, collection, info, model_field)

    def _model_field(self, collection: CollectionInfo, info: FieldInfo) -> models.Field:
        model = self.schema.model(collection.name)
        if model is None:
            raise errors.InvalidField(f'Invalid field "{info.name}" in "{collection.name}"')
        return model._meta.get_field(info.attname)

    def column(self, condition: Condition, collection: CollectionInfo, info: FieldInfo, model_field) -> Q:
        op = condition.operator
        name = info.attname
        binary = isinstance(model_field, models.BinaryField)
        if op.like_family and binary:
            raise errors.InvalidRequest(f'{info.name}: binary fields cannot be searched with "{condition.given}"')

        def cast(value):
            return self.cast(value, collection, info, model_field)

        base = op.base
        if base in ("eq", "lt", "lte", "gt", "gte"):
            lookup = "exact" if base == "eq" else base
            value = cast(condition.value)
            q = _never() if _has_nul(value) else Q(**{f"{name}__{lookup}": value})
        elif base == "in":
            if not condition.value:
                return _always() if op.negated else _never()
            values = [value for value in map(cast, condition.value) if not _has_nul(value)]
            q = Q(**{f"{name}__in": values}) if values else _never()
        elif base == "between":
            low, high = (cast(value) for value in condition.value)
            q = _never() if _has_nul(low) or _has_nul(high) else Q(**{f"{name}__range": (low, high)})
        elif _has_nul(condition.value):  # contains, rlike
            q = _never()
        elif base == "contains":
            q = Q(**{f"{name}__icontains": condition.value})
        elif base == "rlike":
            q = Q(RawLike(F(name), condition.value))
        elif base == "null":
            return Q(**{f"{name}__isnull": not op.negated})
        elif base == "empty":
            return self._empty(name, model_field, op.negated)
        else:  # pragma: no cover - every operator is handled above
            raise errors.UnknownFilter(f"Unknown filter: {condition.given}")
        return _sql_not(q, name) if op.negated else q

    @staticmethod
    def _empty(name: str, model_field, negated: bool) -> Q:
        textual = isinstance(model_field, models.CharField | models.TextField)
        if negated:
            q = Q(**{f"{name}__isnull": False})
            return q & ~Q(**{name: ""}) if textual else q
        q = Q(**{f"{name}__isnull": True})
        return q | Q(**{name: ""}) if textual else q

    def m2o_search(self, condition: Condition, info: FieldInfo) -> Q:
        """The like family directly on an M2O field: any searchable column of the related row."""
        target = self.schema.collection(info.relation.collection)
        model = self.schema.model(target.name) if target else None
        if target is None or model is None:
            raise errors.FieldNotFound(f'Unable to find field "{info.name}"')
        readable = self.access.fields_of(target.name)
        inner = None
        for field in () if _has_nul(condition.value) else target.columns:
            if not field.field_type.searched or (readable is not None and field.name not in readable):
                continue
            if condition.operator.base == "contains":
                part = Q(**{f"{field.attname}__icontains": condition.value})
            else:
                part = Q(RawLike(F(field.attname), condition.value))
            inner = part if inner is None else inner | part
        if inner is None:
            matches = _never()
        else:
            related = self.related_rows(target).filter(inner).values(target.primary_key.attname)
            matches = Q(**{f"{info.attname}__in": related})
        return _sql_not(matches, info.attname) if condition.operator.negated else matches

    # O2M / M2M fields -----------------------------------------------------------------------------

    def to_many(self, condition: Condition, collection: CollectionInfo, info: FieldInfo) -> Q | None:
        op = condition.operator
        if condition.ignored:
            return None
        child = self.schema.collection(info.relation.collection)
        model = self.schema.model(child.name) if child else None
        if child is None or model is None:
            raise errors.FieldNotFound(f'Unable to find field "{info.name}"')
        self.access.fields_of(child.name)
        key = self._child_key(info, child).attname
        rows = self.related_rows(child).filter(**{f"{key}__isnull": False})

        def having(count: int):
            return rows.values(key).annotate(_directus_n=Count("pk")).filter(_directus_n__gte=count).values(key)

        if op.base in ("empty", "null"):
            # `empty` on O2M: no related rows (PHP turns it into `nhas 1`); `null` likewise.
            related = Q(pk__in=rows.values(key))
            return related if op.negated else ~related
        if op.base == "has":
            count = condition.value
            inverted = op.negated != (count < 1)
            related = Q(pk__in=having(max(count, 1)))
            return ~related if inverted else related
        if op.base == "all":
            return self._all(condition, info, child, rows, key)
        raise errors.UnprocessableEntity(
            f'Operator "{condition.given}" does not work for one-to-many fields; use a dot path such as '
            f'"{info.name}.<field>"'
        )

    def _all(self, condition: Condition, info: FieldInfo, child: CollectionInfo, rows, key: str) -> Q:
        """Related to every listed id: the child's primary keys (O2M), or the far collection's
        keys through the junction (M2M)."""
        if info.relation.kind == "m2m" and info.relation.junction_field:
            target = child.fields.get(info.relation.junction_field)
            if target is None or target.alias:
                raise errors.FieldNotFound(f'Unable to find field "{info.name}"')
        else:
            target = child.primary_key
        model_field = self._model_field(child, target)
        values = list(dict.fromkeys(self.cast(value, child, target, model_field) for value in condition.value))
        if not values:
            return _always()
        matching = (
            rows.filter(**{f"{target.attname}__in": values})
            .values(key)
            .annotate(_directus_n=Count(target.attname, distinct=True))
            .filter(_directus_n=len(values))
            .values(key)
        )
        return Q(pk__in=matching)

    # Values ---------------------------------------------------------------------------------------

    def cast(self, value, collection: CollectionInfo, info: FieldInfo, model_field):
        """A filter value as the field's Python value; `now` for date and datetime types."""
        if isinstance(value, str) and value.strip().lower() == "now":
            if info.field_type.now == "datetime":
                return self.now
            if info.field_type.now == "date":
                return self._today(collection)
        if isinstance(model_field, models.CharField | models.TextField):
            return value
        if isinstance(model_field, models.BooleanField) and isinstance(value, str):
            value = _BOOLEANS.get(value.strip().lower(), value)
        try:
            result = model_field.to_python(value)
        except (ValidationError, TypeError, ValueError, ArithmeticError, binascii.Error):
            result = None
        if result is None or not _representable(result):
            raise errors.InvalidRequest(f'{info.name}: "{value}" is not a valid {info.type} value')
        if isinstance(result, datetime.datetime) and timezone.is_naive(result):
            result = timezone.make_aware(result, self._zone(collection))
        return result

    def _zone(self, collection: CollectionInfo):
        # query.md § Dates: system collections in UTC, the others in the server's timezone.
        return datetime.UTC if collection.is_system else timezone.get_current_timezone()

    def _today(self, collection: CollectionInfo) -> datetime.date:
        return self.now.astimezone(self._zone(collection)).date()


def _representable(value) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -_MAX_INT - 1 <= value <= _MAX_INT
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, decimal.Decimal):
        return value.is_finite()
    return True


# sort --------------------------------------------------------------------------------------------


def compile_sort(
    items: Sequence[SortItem],
    collection: CollectionInfo,
    *,
    readable: Readable = None,
    nulls_last: bool = True,
) -> list:
    """`order_by` expressions: the given fields (or the collection's default: its `sort` field,
    else the primary key), then the primary key ascending as the tie-breaker. `?` is random.

    nulls_last (setting `sort_null_last`): NULLs after values in both directions; off, NULLs
    come first ascending and last descending on every engine (MySQL's order)."""
    access = _Access(readable, collection.name)
    if not items:
        default = collection.sort_field or collection.primary_key
        items = [SortItem(default.name)] if default is not None else []
    order = []
    named = set()
    for item in items:
        if item.random:
            order.append(Random())
            continue
        info = collection.fields.get(item.field)
        if info is None:
            raise errors.InvalidField(f'Invalid field "{item.field}" in "{collection.name}"')
        access.check(collection.name, item.field)
        if info.alias:
            raise errors.UnprocessableEntity(f'Unable to sort by "{info.name}" field because it is an alias.')
        named.add(info.name)
        expression = F(info.attname)
        if info.column is not None and not info.column.nullable:
            # No NULLs to place: a plain ORDER BY can use an index built in either direction.
            order.append(expression.desc() if item.descending else expression.asc())
        elif item.descending:
            order.append(expression.desc(nulls_last=True))
        elif nulls_last:
            order.append(expression.asc(nulls_last=True))
        else:
            order.append(expression.asc(nulls_first=True))
    primary = collection.primary_key
    if primary is not None and primary.name not in named:
        order.append(F(primary.attname).asc())
    return order


# q -----------------------------------------------------------------------------------------------


def compile_search(q: str | None, collection: CollectionInfo, fields: Iterable[str] | None = None) -> Q:
    """`q`: a case-insensitive substring match ORed over the collection's string, integer and
    decimal fields among `fields` (the ones the caller may read; None = all). Only the
    collection's own fields are searched (deviations.md #3). `Q()` when q is empty; no
    searchable field matches nothing."""
    if q is None or q == "":
        return Q()
    if _has_nul(q):
        return _never()
    allowed = None if fields is None else set(fields)
    result = None
    for info in collection.columns:
        if not info.field_type.searched or (allowed is not None and info.name not in allowed):
            continue
        part = Q(**{f"{info.attname}__icontains": q})
        result = part if result is None else result | part
    return _never() if result is None else result


# fields ------------------------------------------------------------------------------------------


def check_fields(
    tree: FieldsTree,
    collection: CollectionInfo,
    *,
    readable: Readable = None,
    computed: Iterable[str] = (),
) -> None:
    """The top-level names a `fields` tree requests exist (`422` code `202`) and may be read
    (`403` code `304`). `computed` names (e.g. `data` of directus_files) are accepted. Names
    inside relations are not errors (blacklisted related fields are just left out)."""
    access = _Access(readable, collection.name)
    extra = set(computed)
    for name in tree.explicit_names:
        if name in extra:
            continue
        if name not in collection.fields:
            raise errors.InvalidField(f'Invalid field "{name}" in "{collection.name}"')
        access.check(collection.name, name)
