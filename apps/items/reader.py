"""Reading items with nested relations: one SQL statement per relation level, whatever the
number of rows, and no model instance or serializer per row.

    reader = ItemReader(project_schema())
    items = reader.read(collection, rows, fields_tree)

The rows (a queryset, or a `RowSource` whose compiled statement is kept, see statements.py),
already filtered, sorted and sliced by the query language, are the top level. For every
relational field the `fields` tree expands, the related rows of *all* parent rows are fetched in
one statement (`pk IN (...)` for M2O, `fk IN (...)` for O2M and M2M) and attached in Python.
Values leave as the wire format of each field's Directus type."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import orjson
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import DateTimeField, Q, QuerySet

from apps.access.interface import restricted
from apps.core import errors
from apps.core.fields import INTEGER_FIELDS
from apps.core.query.fields import FieldsTree
from apps.schema import user_columns
from apps.schema.cache import ProjectSchema
from apps.schema.description import CollectionInfo, FieldInfo
from apps.schema.status import soft_deleted
from apps.schema.wire import PLAIN_CLASSES

from .registry import item_rule
from .statements import JsonSelect, ReadStatements, RowSource, one_of

# Largest IN list sent in one statement; beyond it a level takes ceil(n / size) statements.
IN_CHUNK = 10_000

# Columns never sent, whoever reads (Directus 8 leaves them out too).
NEVER_READ = {"directus_users": user_columns.NEVER_SENT}


def visible_fields(collections: dict, guard, computed: dict | None = None) -> dict[str, tuple[str, ...]]:
    """Collection -> the names the caller reads, for every collection the caller may read that
    the item engine can serve (a table with a single primary key), as the reader shapes them: the
    read blacklist applies, never-read columns are left out, computed fields (`computed`:
    collection -> names) only where nothing is blacklisted. For documents built per caller
    (GraphQL schemas, OpenAPI)."""
    visible = {}
    for name in sorted(collections):
        info = collections[name]
        if not info.table_exists or info.primary_key is None or not guard.can_read(info):
            continue
        readable = guard.readable_fields(info)
        hidden = NEVER_READ.get(name, frozenset())
        names = [field for field in info.fields if field not in hidden and (readable is None or field in readable)]
        if computed and readable is None:
            names += [field for field in computed.get(name, ()) if field not in info.fields]
        visible[name] = tuple(names)
    return visible


# How PostgreSQL writes a column's values as orjson writes the Python values psycopg gives for
# them: integers as their text, short text through to_json, datetimes as text cut like the API's.
_JSON_INTEGER = "coalesce({column}::text, 'null')"
_JSON_VALUE = "coalesce(to_json({column})::text, 'null')"
_JSON_DATETIME = "coalesce('\"' || to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || '\"', 'null')"
# Long text is escaped in the worker (orjson): to_json escapes a character at a time, about 5 µs of
# PostgreSQL's CPU for 1 KB, several times what orjson takes.
_JSON_IN_WORKER = "worker"


def _json_columns(schema, collection: CollectionInfo) -> dict[str, str]:
    """attname -> how the column's values are written as JSON (`_JSON_INTEGER`, `_JSON_VALUE`,
    `_JSON_DATETIME`, `_JSON_IN_WORKER`), for the columns whose JSON can be written exactly as
    the API sends them without a Python value per column."""
    model = schema.model(collection.name)
    if model is None:
        return {}
    formats = {}
    for model_field in model._meta.concrete_fields:
        if hasattr(model_field, "from_db_value"):
            continue
        kind = model_field.get_internal_type()
        if kind in INTEGER_FIELDS:
            formats[model_field.attname] = _JSON_INTEGER
        elif kind == "CharField":
            formats[model_field.attname] = _JSON_VALUE
        elif kind == "TextField":
            formats[model_field.attname] = _JSON_IN_WORKER
        elif kind == "DateTimeField":
            formats[model_field.attname] = _JSON_DATETIME
    return formats


def _datetime_columns(schema, collection: CollectionInfo) -> frozenset[str]:
    """The attnames of the collection's datetime columns."""
    model = schema.model(collection.name)
    if model is None:
        return frozenset()
    return frozenset(field.attname for field in model._meta.concrete_fields if isinstance(field, DateTimeField))


@dataclass
class ReadPolicy:
    """What the reader may see; the permission engine gives a stricter one.

    `readable(collection)` → the field names that may be returned (None: all);
    `row_filter(collection)` → a Q narrowing related rows (None: no restriction, False: none at all)."""

    readable: Callable[[str], set[str] | None] = lambda collection: None
    row_filter: Callable[[str], Q | bool | None] = lambda collection: None
    can_read: Callable[[str], bool] = lambda collection: True
    # Computed alias fields, e.g. the `data` object of directus_files: name -> function(row) -> value
    computed: dict[str, dict[str, Callable[[dict], object]]] = field(default_factory=dict)


class ItemReader:
    def __init__(
        self, schema: ProjectSchema, policy: ReadPolicy | None = None, *, soft_deleted=None, lang=None, as_json=False
    ):
        self.schema = schema
        # Whether list and single-item reads may give finished JSON items (`read_json`).
        self.as_json = as_json
        # `lang` of query.md: None or "*" keep every translation row, a tuple keeps those languages.
        self.lang = lang
        self.policy = policy or ReadPolicy()
        # collection -> statuses hidden from nested reads (soft-deleted ones)
        self.soft_deleted = soft_deleted or (lambda collection: ())
        self.denied: dict[str, set[str]] = defaultdict(set)
        self._row_filters: dict = {}

    @classmethod
    def for_guard(cls, schema: ProjectSchema, guard, *, computed=None, lang=None, as_json=False) -> "ItemReader":
        """A reader that sees what `guard` (apps.access.interface.Guard) lets its caller see."""

        def per_collection(method, default):
            return lambda name: method(schema.collection(name)) if schema.collection(name) else default

        policy = ReadPolicy(
            readable=per_collection(guard.readable_fields, None),
            row_filter=per_collection(guard.read_filter, False),
            can_read=per_collection(guard.can_read, False),
            computed=computed or {},
        )
        hidden = lambda name: soft_deleted(schema.collection(name))  # noqa: E731
        return cls(schema, policy, soft_deleted=hidden, lang=lang, as_json=as_json)

    def row_filter(self, name: str):
        """The caller's row restriction on a collection (a Q, None or False), once per read."""
        if name not in self._row_filters:
            self._row_filters[name] = self.policy.row_filter(name)
        return self._row_filters[name]

    def restriction_key(self, name: str) -> str:
        """The row restriction as part of a statement key, naming every value."""
        return restriction_text(self.row_filter(name))

    @property
    def statements(self) -> ReadStatements:
        return self.schema.config("item_read_statements", ReadStatements)

    # The top level --------------------------------------------------------------------------

    def read(self, collection: CollectionInfo, source: QuerySet | RowSource | list, tree: FieldsTree) -> list[dict]:
        plan = self._plan(collection, tree)
        if not plan.expansions and not plan.computed and item_rule(collection.name) is None:
            names, rows = self._fetch_tuples(collection, source, plan)
            return self._shape_columns(collection, names, rows, plan)
        rows = self._fetch(collection, source, plan)
        return self._shape(collection, rows, plan)

    def item_names(self, collection: CollectionInfo, tree: FieldsTree) -> list[str]:
        """The keys of the items `read` gives for this tree, in order, whatever the rows (an
        O2M or M2M into a collection the caller may not read is left out of every item)."""
        plan = self._plan(collection, tree)
        return [
            name
            for name in plan.selected
            if name in plan.expansions or name in plan.computed or not collection.fields[name].alias
        ]

    def reads_from_rows_alone(self, collection: CollectionInfo, tree: FieldsTree) -> bool:
        """Whether `read` of rows at hand (a list) runs no statement: nothing expanded, computed
        or ruled. Raises what `read` raises for the tree."""
        plan = self._plan(collection, tree)
        return not plan.expansions and not plan.computed and item_rule(collection.name) is None

    # Items written by the database --------------------------------------------------------

    def read_json(self, collection: CollectionInfo, source: RowSource, tree: FieldsTree) -> list | None:
        """The items `read` gives, each as its finished JSON (an orjson.Fragment) written by
        PostgreSQL in the statement that reads it, with many-to-one relations and long text
        (escaped by orjson) spliced in: no Python value per column but those. None, with nothing
        run, where a level has anything else (a column of another type or format, another
        relation, a computed field, a collection rule, a relation the caller may not read) or
        another database: `read` reads it."""
        if connections[self.schema.alias].vendor != "postgresql" or not isinstance(source, RowSource):
            return None
        level = self._json_level(collection, self._plan(collection, tree))
        if level is None:
            return None
        texts = self._json_texts(level, source)
        return None if texts is None else [orjson.Fragment(text) for _key, text in texts]

    def _json_level(self, collection: CollectionInfo, plan: "LevelPlan") -> "JsonLevel | None":
        if plan.computed or item_rule(collection.name) is not None or collection.primary_key is None:
            return None
        children = {}
        for name, tree in plan.expansions.items():
            child = self._json_relation(collection.fields[name], tree)
            if child is None:
                return None
            children[name] = child
        key = ("json level", collection.name, tuple(plan.selected), tuple((n, c.key) for n, c in children.items()))
        level = self.statements.kept(key, lambda: self._build_json_level(collection, plan.selected, children, key))
        return level or None

    def _build_json_level(self, collection: CollectionInfo, selected: list, children: dict, key: tuple):
        """The JsonLevel of these fields (with these levels of their relations), or False."""
        formats = self.schema.config(("json_columns", collection.name), lambda: _json_columns(self.schema, collection))
        needed = [collection.primary_key]
        position = {collection.primary_key.name: 0}

        def column(info: FieldInfo) -> int:
            if info.name not in position:
                position[info.name] = len(needed)
                needed.append(info)
            return position[info.name]

        # The item's text as literal parts, column parts (position, format) and splices (None):
        # (position, level) of a related item's text, (position, None) of text the worker escapes.
        parts: list = []
        splices: list = []
        for name in selected:
            info = collection.fields[name]
            opening = ("{" if not parts else ",") + orjson.dumps(name).decode() + ":"
            if name in children:
                parts += [opening, None]
                splices.append((column(info), children[name]))
            elif not info.alias:  # alias fields named without a dot give nothing
                wire_format = formats.get(info.attname)
                if wire_format is None or not info.field_type.keeps_plain:
                    return False
                if wire_format == _JSON_DATETIME and (info.primary_key or not info.field_type.plain_datetimes):
                    return False
                if wire_format == _JSON_IN_WORKER:
                    parts += [opening, None]
                    splices.append((column(info), None))
                else:
                    parts += [opening, (column(info), wire_format)]
        parts.append("}" if parts else "{}")
        return JsonLevel(collection, needed, _json_segments(parts), splices, key)

    def _json_relation(self, info: FieldInfo, tree: FieldsTree) -> "JsonLevel | None":
        """The level of a many-to-one relation the database can write, read as `_expand` reads it."""
        relation = info.relation
        if relation.kind != "m2o" or info.alias:
            return None
        target = self.schema.collection(relation.collection)
        if target is None or target.primary_key is None or not self.policy.can_read(target.name):
            return None
        if self.schema.model(target.name) is None or self.row_filter(target.name) is False:
            return None
        return self._json_level(target, self._plan(target, tree))

    def _json_texts(self, level: "JsonLevel", source: RowSource) -> list[tuple] | None:
        """(key, JSON text) of each row of `source`, related items and long text spliced in; None
        where the read cannot be run so."""
        rows = self.statements.json_rows(self.schema.alias, source, level.attnames, level.select)
        if rows is None:
            return None
        related = []  # (row position, related texts by key, or None for text to escape)
        for position, child in level.splices:
            raw = level.raw.index(position)
            if child is None:
                related.append((raw, None))
                continue
            found = self._json_related(child, {row[raw] for row in rows} - {None, ""})
            if found is None:
                return None
            related.append((raw, found))
        segments = level.texts
        first_constant, first_column = segments[0]
        if not related:
            if first_constant is not None:
                return [(row[0], first_constant) for row in rows]
            return [(row[0], row[first_column]) for row in rows]
        splices = [
            (raw, found, constant, column)
            for (raw, found), (constant, column) in zip(related, segments[1:], strict=True)
        ]
        texts = []
        dumps = orjson.dumps
        for row in rows:
            text = first_constant if first_column is None else row[first_column]
            for raw, found, constant, column in splices:
                value = row[raw]
                if found is None:
                    text += "null" if value is None else dumps(value).decode()
                else:
                    text += found.get(value, "null") if value != "" else "null"
                text += constant if column is None else row[column]
            texts.append((row[0], text))
        return texts

    def _json_related(self, level: "JsonLevel", keys: set) -> dict | None:
        """Key -> JSON text of the related rows with these keys, as `_expand` finds them."""
        target = level.collection
        found = {}
        for source in self._key_sources(target, target.primary_key, keys, self._related_queryset):
            texts = self._json_texts(level, source)
            if texts is None:
                return None
            found.update(texts)
        return found

    # Planning one level ---------------------------------------------------------------------

    def _plan(self, collection: CollectionInfo, tree: FieldsTree) -> "LevelPlan":
        readable = self.policy.readable(collection.name)
        hidden = NEVER_READ.get(collection.name, frozenset())
        computed = self.policy.computed.get(collection.name, {})

        def visible(name: str) -> bool:
            return name not in hidden and (readable is None or name in readable)

        if readable is not None:
            named = [name for name in tree.explicit_names if name in collection.fields and name not in readable]
            if named:
                raise errors.ReadFieldDenied(f'Reading field "{named[0]}" of "{collection.name}" was denied')

        # `*` gives the columns; `*.<more>` also gives the O2M/M2M fields, expanded (query.md).
        expands_all = tree.wildcard_children is not None
        wildcard_names = [
            info.name
            for info in collection.fields.values()
            if visible(info.name) and (not info.alias or (expands_all and info.relation is not None))
        ]
        wildcard_names += [name for name in computed if visible(name)]
        key = collection.primary_key.name if collection.primary_key else None
        selected = [name for name in tree.select(wildcard_names, key) if name in collection.fields or name in computed]
        selected = [name for name in selected if visible(name)]
        expansions: dict[str, FieldsTree] = {}
        for name in selected:
            info = collection.fields.get(name)
            child = tree.child(name) if info is not None and info.relation else None
            if child is not None:
                expansions[name] = child
        return LevelPlan(collection=collection, selected=selected, expansions=expansions, computed=computed)

    # Fetching one level ---------------------------------------------------------------------

    def _fetch(self, collection: CollectionInfo, source: QuerySet | RowSource | list, plan: "LevelPlan") -> list[dict]:
        names, rows = self._fetch_tuples(collection, source, plan)
        return [dict(zip(names, row, strict=True)) for row in rows]

    def _fetch_tuples(self, collection: CollectionInfo, source, plan: "LevelPlan") -> tuple[list[str], list]:
        """The field names fetched and the rows as tuples of them."""
        pk = collection.primary_key
        needed: list[FieldInfo] = [pk] if pk else []
        # By name: a collection has one FieldInfo per field, and comparing dataclasses field by
        # field was a twentieth of a read by id.
        seen = {info.name for info in needed}

        def need(info: FieldInfo | None) -> None:
            if info is not None and info.name not in seen:
                seen.add(info.name)
                needed.append(info)

        for name in plan.selected:
            info = collection.fields.get(name)
            if info is not None and not info.alias:
                need(info)
        if plan.computed:
            for info in collection.columns:
                need(info)
        rule = item_rule(collection.name)
        for name in rule.columns if rule is not None else ():
            need(collection.fields.get(name))
        attnames = [info.attname for info in needed]
        names = [info.name for info in needed]
        if isinstance(source, list):  # rows already at hand, keyed by field name
            return names, [tuple(row[name] for name in names) for row in source]
        if isinstance(source, QuerySet):
            return names, list(source.values_list(*attnames))
        wire_datetimes = self._datetimes_as_text(collection, needed, plan)
        return names, self.statements.rows(self.schema.alias, source, attnames, wire_datetimes=wire_datetimes)

    def _datetimes_as_text(self, collection: CollectionInfo, needed: list[FieldInfo], plan: "LevelPlan") -> bool:
        """Whether this level's datetime columns may come as the API's text straight from the
        database: each is sent as a plain datetime, and none is a key, a relation or read by a
        computed field or a collection rule (those want datetimes)."""
        if plan.computed or item_rule(collection.name) is not None:
            return False
        datetimes = self.schema.config(
            ("datetime_columns", collection.name), lambda: _datetime_columns(self.schema, collection)
        )
        found = False
        for info in needed:
            if info.attname in datetimes:
                if info.primary_key or info.relation is not None or not info.field_type.plain_datetimes:
                    return False
                found = True
        return found

    def _related_queryset(self, collection: CollectionInfo) -> QuerySet | None:
        model = self.schema.model(collection.name)
        if model is None:
            return None
        restriction = self.row_filter(collection.name)
        if restriction is False:
            return None
        queryset = restricted(model._default_manager.all(), restriction)
        status = collection.status_field
        hidden_statuses = list(self.soft_deleted(collection.name))
        if status is not None and hidden_statuses:
            queryset = queryset.exclude(**{f"{status.attname}__in": hidden_statuses})
        return queryset

    # Shaping, with the relations of all rows fetched together -------------------------------

    def _shape(self, collection: CollectionInfo, rows: list[dict], plan: "LevelPlan") -> list[dict]:
        related: dict[str, dict] = {}
        for name, child_tree in plan.expansions.items():
            related[name] = self._expand(collection, collection.fields[name], rows, child_tree)
        # What each selected name becomes, decided once for all rows.
        steps = []
        for name in plan.selected:
            info = collection.fields.get(name)
            if name in plan.expansions:
                found = related[name]
                if info.relation.kind == "m2o" and found is not None:
                    steps.append((name, _M2O, found))
                else:
                    steps.append((name, _EXPANDED, info))
            elif name in plan.computed:
                steps.append((name, _COMPUTED, plan.computed[name]))
            elif not info.alias:  # alias fields named without a dot give nothing
                field_type = info.field_type
                steps.append((name, _PLAIN if field_type.keeps_plain else _COLUMN, field_type.wire))
        items = []
        registered = item_rule(collection.name)
        rule = registered.rule if registered is not None else None
        plain_classes = PLAIN_CLASSES
        for row in rows:
            item = {}
            for name, kind, detail in steps:
                if kind is _PLAIN:
                    value = row[name]
                    item[name] = value if value.__class__ in plain_classes else detail(value)
                elif kind is _M2O:
                    value = row[name]
                    item[name] = None if value is None or value == "" else detail.get(value)
                elif kind is _COLUMN:
                    item[name] = detail(row[name])
                elif kind is _COMPUTED:
                    item[name] = detail(row)
                else:
                    value = self._attach(detail, row, related[name], collection)
                    if value is not _OMIT:
                        item[name] = value
            if rule is not None:
                rule(row, item, self.policy)
            items.append(item)
        return items

    def _shape_columns(self, collection: CollectionInfo, names: list[str], rows: list, plan: "LevelPlan") -> list[dict]:
        """`_shape` for a level of plain columns (nothing expanded or computed, no collection
        rule), straight from the fetched tuples: no row dict on the way, the largest share of
        shaping a page of a list."""
        position = {name: index for index, name in enumerate(names)}
        steps = []
        for name in plan.selected:
            info = collection.fields[name]
            if not info.alias:  # alias fields named without a dot give nothing
                field_type = info.field_type
                steps.append((name, position[name], field_type.wire, not field_type.keeps_plain))
        plain_classes = PLAIN_CLASSES
        items = []
        for row in rows:
            item = {}
            for name, index, wire, rewritten in steps:
                value = row[index]
                if rewritten or value.__class__ not in plain_classes:
                    value = wire(value)
                item[name] = value
            items.append(item)
        return items

    def _expand(self, collection: CollectionInfo, info: FieldInfo, rows: list[dict], tree: FieldsTree):
        relation = info.relation
        target = self.schema.collection(relation.collection)
        if target is None:
            return {}
        if not self.policy.can_read(relation.collection):
            self.denied[relation.collection].add(info.name)
            return None
        if self.schema.model(target.name) is None or self.row_filter(target.name) is False:
            return {} if relation.kind == "m2o" else defaultdict(list)
        plan = self._plan(target, tree)
        if relation.kind == "m2o":
            keys = {row.get(info.name) for row in rows} - {None, ""}
            target_pk = target.primary_key
            found = self._in_chunks(target, target_pk, keys, plan, self._related_queryset)
            return {row[target_pk.name]: item for row, item in found}
        # O2M (and M2M, which is an O2M into the junction): children grouped by their FK.
        parent_pk = collection.primary_key
        keys = {row.get(parent_pk.name) for row in rows} - {None}
        fk = target.fields.get(relation.field_many)
        if fk is None or fk.alias:
            return {}
        languages = None
        if info.field_type.by_language and isinstance(self.lang, tuple):
            languages = tuple(self.lang)
            language = target.field_of_type("lang")
            if language is None:
                raise errors.FieldNotFound(f'Unable to find field of type "lang" in "{target.name}"')

        def children(target: CollectionInfo) -> QuerySet:
            queryset = self._related_queryset(target)
            if languages is not None:
                queryset = queryset.filter(**{f"{language.attname}__in": list(languages)})
            sort = target.sort_field
            if sort is not None:
                return queryset.order_by(sort.attname)
            if target.primary_key is not None:
                return queryset.order_by(target.primary_key.attname)
            return queryset

        extra = [fk] if fk.name not in plan.selected else []
        found = self._in_chunks(target, fk, keys, plan, children, extra=extra, variant=languages)
        grouped: dict = defaultdict(list)
        for row, item in found:
            grouped[row[fk.name]].append(item)
        return grouped

    def _in_chunks(self, target, key: FieldInfo, keys: Iterable, plan, rows_of, *, extra=(), variant=None):
        """The rows of `target` whose `key` is one of `keys`; `rows_of(target)` gives the
        level's queryset before that condition, `variant` anything else its SQL depends on."""
        results = []
        for source in self._key_sources(target, key, keys, rows_of, variant):
            rows = self._fetch(target, source, _with_extra(plan, [key, *extra]))
            items = self._shape(target, rows, plan)
            results.extend(zip(rows, items, strict=True))
        return results

    def _key_sources(self, target, key: FieldInfo, keys: Iterable, rows_of, variant=None) -> list[RowSource]:
        """The reads of the rows of `target` whose `key` is one of `keys`, IN_CHUNK keys each."""
        keys = list(keys)
        statement_key = ("in", target.name, key.attname, variant, self.restriction_key(target.name))

        def build(chunk: list) -> QuerySet:
            return rows_of(target).filter(**one_of(self.schema.alias, key.attname, chunk))

        return [
            RowSource(statement_key, build, keys[start : start + IN_CHUNK]) for start in range(0, len(keys), IN_CHUNK)
        ]

    def _attach(self, info: FieldInfo, row: dict, related, collection: CollectionInfo):
        relation = info.relation
        if related is None:  # the related collection may not be read
            if relation.kind == "m2o":
                value = row.get(info.name)
                target = self.schema.collection(relation.collection)
                return None if value is None else {target.primary_key.name if target else "id": value}
            return _OMIT
        if relation.kind == "m2o":
            value = row.get(info.name)
            return None if value in (None, "") else related.get(value)
        return related.get(row.get(collection.primary_key.name), [])


def restriction_text(restriction) -> str:
    """A row restriction as text that names every value: a Q's repr, except that a subquery in
    it is named by its SQL and parameters (the repr of a queryset would run it)."""
    if isinstance(restriction, Q):
        children = ", ".join(restriction_text(child) for child in restriction.children)
        return f"Q({restriction.connector}, {restriction.negated}, [{children}])"
    if isinstance(restriction, tuple):
        return "(" + ", ".join(restriction_text(part) for part in restriction) + ")"
    if isinstance(restriction, QuerySet):
        try:
            sql, params = restriction.query.get_compiler(using=restriction.db).as_sql()
        except EmptyResultSet:
            return "no rows"
        return repr((sql, params))
    return repr(restriction)


@dataclass
class LevelPlan:
    collection: CollectionInfo
    selected: list[str]
    expansions: dict[str, FieldsTree]
    computed: dict


@dataclass
class JsonLevel:
    """One level as the database writes it: the columns read (`needed`, the key first), the
    item's text in segments between splices (`texts`: a segment's constant text, or the row
    position where the database wrote it), the splices ((position of the key column, the related
    level) or (position of a text column, None)) and the select list around the level's statement."""

    collection: CollectionInfo
    needed: list[FieldInfo]
    segments: list[list]
    splices: list[tuple[int, "JsonLevel | None"]]
    key: tuple  # what it was built from (ItemReader._json_level)

    def __post_init__(self):
        sql, params, constants = [], [], []
        for segment in self.segments:
            if all(isinstance(part, str) for part in segment):
                constants.append("".join(segment))
                continue
            constants.append(None)
            pieces = []
            for part in segment:
                if isinstance(part, str):
                    pieces.append("%s::text")
                    params.append(part)
                else:
                    position, wire_format = part
                    pieces.append(wire_format.format(column=f"c{position}"))
            # One concat(), not a chain of ||, each of which copies the text so far.
            sql.append(pieces[0] if len(pieces) == 1 else f"concat({', '.join(pieces)})")
        # The key and the spliced columns come as they are, before the texts.
        self.raw = [0, *(position for position, _level in self.splices if position != 0)]
        raw_sql = [f"c{position}" for position in self.raw]
        self.select = JsonSelect(", ".join(raw_sql + sql), tuple(params))
        self.attnames = [info.attname for info in self.needed]
        # Each segment's text: (a constant, None), or (None, the row position the database wrote it at).
        columns = iter(range(len(self.raw), len(self.raw) + constants.count(None)))
        self.texts = [(constant, None if constant is not None else next(columns)) for constant in constants]


def _json_segments(parts: list) -> list[list]:
    """The parts of an item's text split at each splice (None), literal parts merged."""
    segments, segment = [], []
    for part in parts:
        if part is None:
            segments.append(segment)
            segment = []
        elif isinstance(part, str) and segment and isinstance(segment[-1], str):
            segment[-1] += part
        else:
            segment.append(part)
    segments.append(segment)
    return segments


def _with_extra(plan: LevelPlan, infos: list[FieldInfo]) -> LevelPlan:
    """The same level, also fetching the key columns the attach step needs."""
    selected = list(plan.selected)
    for info in infos:
        if info.name not in selected:
            selected.append(info.name)
    return LevelPlan(plan.collection, selected, plan.expansions, plan.computed)


_OMIT = object()
# Steps of shaping: a column whose plain values pass as they are, any other column (both with
# their type's wire format), a computed field, a many-to-one relation read, any other relation.
_PLAIN, _COLUMN, _COMPUTED, _M2O, _EXPANDED = "plain", "column", "computed", "m2o", "expanded"


def messages_for(denied: dict[str, set[str]]) -> list[dict]:
    """The `messages` warnings of a response whose relational data was left out (code 18)."""
    return [
        {
            "type": "warning",
            "message": f"Can't read `{collection}`: read access to `{collection}` collection denied",
            "code": 18,
            "fields": sorted(fields),
        }
        for collection, fields in denied.items()
    ]
