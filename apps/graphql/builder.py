"""One project's GraphQL schema, generated from the same collection descriptions as REST, for what
one caller may read (graphql.md § Schema, deviation 12).

    built = build_schema(project_schema().collections, visible)

`visible` maps every collection the caller may read to the field names they may read (read
blacklists applied, computed fields included; see `apps.graphql.cache.visibility`). Only those
collections and fields exist in the schema, so an unreadable collection or field is absent from
queries, filters and introspection alike. Every call creates new graphene classes: a schema is never patched, a
changed project schema or permission set gets a new one (apps.graphql.cache).

Shape, per readable collection `articles` (graphql.md; system collections alike):

    articles(id: Int, limit, offset, page, sort, q, status, lang, filter: ArticlesFilter): Articles
    Articles      { data: [ArticlesItem], meta: Metadata }
    ArticlesItem  { id: ID!, title: String, author: AuthorsItem, comments: [CommentsItem] ... }
    ArticlesFilter{ title_eq, title_contains, ..., author: AuthorsFilter, and: [..], or: [..] }

and, for user collections, the mutations of deviation 12:

    create_articles_item(data: JSON!) / create_articles_items(data: [JSON!]!)
    update_articles_item(id: Int!, data: JSON!) / update_articles_items(data: [JSON!]!)
    delete_articles_item(id: Int!): ID / delete_articles_items(ids: [Int!]!): [ID]

(`id` arguments are `Int` for integer primary keys, `ID` for others; primary keys are `ID` in
items, as in graphql.md.)

Values are resolved from the dicts the item reader returns (plain keys, no per-row queries).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial

import graphene

from apps.schema.description import CollectionInfo

from . import resolvers
from .types import (
    JSON,
    OPERATORS_BY_KIND,
    SYSTEM_ARGUMENTS,
    filter_input_scalar,
    key_input,
    output_scalar,
)

# System collections with a root query field (graphql.md), and their item type names.
SYSTEM_ITEM_TYPES = {
    "directus_activity": "DirectusActivityItem",
    "directus_collections": "DirectusCollectionItem",
    "directus_collection_presets": "DirectusCollectionPresetItem",
    "directus_fields": "DirectusFieldItem",
    "directus_files": "DirectusFileItem",
    "directus_folders": "DirectusFolderItem",
    "directus_permissions": "DirectusPermissionItem",
    "directus_relations": "DirectusRelationItem",
    "directus_revisions": "DirectusRevisionItem",
    "directus_roles": "DirectusRoleItem",
    "directus_settings": "DirectusSettingItem",
    "directus_users": "DirectusUserItem",
}
_BUILT_IN_NAMES = frozenset(
    {"Query", "Mutation", "Subscription", "Metadata", "JSON", "DateTime", "Date", "Time", "BigInt"}
    | {"ID", "String", "Int", "Float", "Boolean"}
)
_NOT_NAME = re.compile(r"[^_0-9A-Za-z]")
# Class attributes graphene reads itself: never used for fields.
_RESERVED_ATTRIBUTES = frozenset({"Meta", "_meta"})


@dataclass(frozen=True)
class FieldRef:
    """A field of an item type: the collection field it reads, and the collection whose items
    it returns when it is an expanded relation."""

    name: str
    target: str | None = None


@dataclass(frozen=True)
class FilterKey:
    """One key of a filter input: `<field>_<operator>`, a nested filter of a relational field
    (`operator` None), or `and` / `or` (`logical`)."""

    field: str | None
    operator: str | None = None
    target: str | None = None
    logical: str | None = None


@dataclass
class BuiltSchema:
    schema: graphene.Schema
    item_types: dict[str, str] = field(default_factory=dict)  # collection -> item type name
    item_fields: dict[str, dict[str, FieldRef]] = field(default_factory=dict)  # type name -> fields
    filter_keys: dict[str, dict[str, FilterKey]] = field(default_factory=dict)  # collection -> keys
    root_collections: tuple[str, ...] = ()


def graphql_name(name: str) -> str:
    """A valid GraphQL name for a collection or field name (most are already)."""
    cleaned = _NOT_NAME.sub("_", name) or "_"
    if cleaned[0].isdigit():
        cleaned = "_" + cleaned
    if cleaned.startswith("__"):
        cleaned = "f" + cleaned  # names starting with __ are reserved for introspection
    return cleaned


def pascal(name: str) -> str:
    words = [word for word in re.split(r"[^0-9A-Za-z]+", name) if word]
    result = "".join(word[:1].upper() + word[1:] for word in words) or "Collection"
    return "C" + result if result[0].isdigit() else result


def _unique(name: str, used: set[str]) -> str:
    candidate, number = name, 2
    while candidate in used:
        candidate, number = f"{name}{number}", number + 1
    used.add(candidate)
    return candidate


def root_collections(collections: Mapping[str, CollectionInfo], visible: Mapping[str, tuple]) -> list[str]:
    """Collections with a root field: the system ones of graphql.md, then every managed user
    collection; only those the caller may read."""
    system = [name for name in SYSTEM_ITEM_TYPES if name in visible]
    user = [name for name, info in collections.items() if name in visible and not info.is_system and info.managed]
    return system + sorted(user)


class _Builder:
    def __init__(self, collections, visible: Mapping[str, tuple], computed: Mapping[str, tuple]):
        self.collections = collections
        self.visible = visible
        self.computed = computed
        self.type_names: set[str] = set(_BUILT_IN_NAMES)
        self.items: dict[str, type] = {}
        self.wrappers: dict[str, type] = {}
        self.filters: dict[str, type] = {}
        self.built = BuiltSchema(schema=None)
        self.metadata = type(
            "Metadata",
            (graphene.ObjectType,),
            {
                "collection": graphene.String(),
                "type": graphene.String(),
                "result_count": graphene.Int(),
                "total_count": graphene.Int(),
                "filter_count": graphene.Int(),
            },
        )

    # Item types ----------------------------------------------------------------------------

    def item_type(self, name: str) -> type:
        if name in self.items:
            return self.items[name]
        info = self.collections[name]
        type_name = _unique(SYSTEM_ITEM_TYPES.get(name) or pascal(name) + "Item", self.type_names)
        refs: dict[str, FieldRef] = {}
        attrs: dict[str, object] = {"Meta": type("Meta", (), {"name": type_name})}
        used = set(_RESERVED_ATTRIBUTES)
        for field_name in self.visible[name]:
            field_info = info.fields.get(field_name)
            if field_name in self.computed.get(name, ()):  # e.g. the `data` object of directus_files
                graphql_type, target = JSON, None
            elif field_info is None:
                continue
            else:
                graphql_type, target = self._field_type(info, field_info)
                if graphql_type is None:
                    continue
            key = _unique(graphql_name(field_name), used)
            attrs[key] = graphene.Field(graphql_type, source=field_name, name=key)
            refs[key] = FieldRef(field_name, target)
        # A type needs one field; every collection here has a primary key, so this is for a
        # caller whose read blacklist hides every field.
        if not refs:
            attrs["_empty"] = graphene.Field(graphene.Boolean, name="_empty")
        cls = type(type_name, (graphene.ObjectType,), attrs)
        self.items[name] = cls
        self.built.item_types[name] = type_name
        self.built.item_fields[type_name] = refs
        return cls

    def _field_type(self, collection: CollectionInfo, info) -> tuple[object, str | None]:
        relation = info.relation
        if relation is not None and relation.kind in {"o2m", "m2m"}:
            if relation.collection not in self.visible or not info.alias:
                return None, None  # O2M into a collection the caller may not read: omitted (REST too)
            target = relation.collection
            return graphene.List(lambda: self.item_type(target)), target
        if info.alias:
            return None, None  # alias and group fields hold no value
        if relation is not None and relation.kind == "m2o" and relation.collection in self.visible:
            target = relation.collection
            return (lambda: self.item_type(target)), target
        scalar = output_scalar(info)
        if info.primary_key or (
            not collection.is_system and info.required and info.column is not None and not info.column.nullable
        ):
            return graphene.NonNull(scalar), None
        return scalar, None

    # Lists ---------------------------------------------------------------------------------

    def wrapper_type(self, name: str) -> type:
        if name in self.wrappers:
            return self.wrappers[name]
        item = self.item_type(name)
        type_name = _unique(item._meta.name.removesuffix("Item") or pascal(name), self.type_names)
        cls = type(
            type_name,
            (graphene.ObjectType,),
            {
                "Meta": type("Meta", (), {"name": type_name}),
                "data": graphene.List(item),
                "meta": graphene.Field(self.metadata),
            },
        )
        self.wrappers[name] = cls
        return cls

    # Filters -------------------------------------------------------------------------------

    def filter_type(self, name: str) -> type:
        if name in self.filters:
            return self.filters[name]
        info = self.collections[name]
        type_name = _unique(pascal(name) + "Filter", self.type_names)
        keys: dict[str, FilterKey] = {}
        attrs: dict[str, object] = {"Meta": type("Meta", (), {"name": type_name})}
        used = {*_RESERVED_ATTRIBUTES, "and", "or"}
        for field_name in self.visible[name]:
            field_info = info.fields.get(field_name)
            if field_info is None:
                continue
            relation = field_info.relation
            kind = field_info.field_type.filter_kind(field_info)
            target = relation.collection if relation and relation.collection in self.visible else None
            if kind is None or (kind == "to_many" and target is None):
                continue
            if kind == "m2o" and target is None:
                kind = "choice"  # the key itself; the like family would search the unreadable collection
            base = graphql_name(field_name)
            for operator in OPERATORS_BY_KIND[kind]:
                key = f"{base}_{operator}"
                if key in used:
                    continue
                used.add(key)
                attrs[key] = graphene.InputField(filter_input_scalar(field_info, operator), name=key)
                keys[key] = FilterKey(field_name, operator)
            if target is not None and base not in used:
                used.add(base)
                attrs[base] = graphene.InputField(partial(self.filter_type, target), name=base)
                keys[base] = FilterKey(field_name, target=target)
        own = partial(self.filter_type, name)
        for logical in ("and", "or"):
            attrs[logical] = graphene.InputField(graphene.List(graphene.NonNull(own)), name=logical)
            keys[logical] = FilterKey(None, logical=logical)
        cls = type(type_name, (graphene.InputObjectType,), attrs)
        self.filters[name] = cls
        self.built.filter_keys[name] = keys
        return cls

    # Roots ---------------------------------------------------------------------------------

    def query_type(self, roots: list[str]) -> type:
        attrs: dict[str, object] = {}
        used: set[str] = set()
        for name in roots:
            key = _unique(graphql_name(name), used)
            arguments = {
                "id": graphene.Argument(key_input(self.collections[name].primary_key)),
                "limit": graphene.Argument(graphene.Int),
                "offset": graphene.Argument(graphene.Int),
                "page": graphene.Argument(graphene.Int),
                "sort": graphene.Argument(graphene.String, description="CSV of fields, `-field` descending"),
                "q": graphene.Argument(graphene.String),
                "status": graphene.Argument(graphene.String, description="CSV of statuses, or *"),
                "lang": graphene.Argument(graphene.String),
                "filter": graphene.Argument(self.filter_type(name)),
            }
            for argument in SYSTEM_ARGUMENTS.get(name, {}):
                arguments[argument] = graphene.Argument(graphene.String)
            attrs[key] = graphene.Field(
                self.wrapper_type(name), args=arguments, name=key, resolver=partial(resolvers.resolve_list, name)
            )
        if not attrs:  # a Query type needs a field: a caller who may read nothing
            attrs["_empty"] = graphene.Field(graphene.Boolean, name="_empty")
        return type("Query", (graphene.ObjectType,), attrs)

    def mutation_type(self, roots: list[str]) -> type | None:
        attrs: dict[str, object] = {}
        used: set[str] = set()
        writable = [name for name in roots if not self.collections[name].is_system]
        for name in writable:
            base = graphql_name(name)
            item = self.item_type(name)
            pk = graphene.NonNull(key_input(self.collections[name].primary_key))
            extra = {
                "comment": graphene.Argument(graphene.String),
                "activity_skip": graphene.Argument(graphene.Boolean),
            }
            one = {"data": graphene.Argument(graphene.NonNull(JSON)), **extra}
            many = {"data": graphene.Argument(graphene.NonNull(graphene.List(graphene.NonNull(JSON)))), **extra}
            operations = {
                "create_{}_item": (item, one, resolvers.create_item),
                "create_{}_items": (graphene.List(item), many, resolvers.create_items),
                "update_{}_item": (item, {"id": graphene.Argument(pk), **one}, resolvers.update_item),
                "update_{}_items": (graphene.List(item), many, resolvers.update_items),
                "delete_{}_item": (graphene.ID, {"id": graphene.Argument(pk), **extra}, resolvers.delete_item),
                "delete_{}_items": (
                    graphene.List(graphene.ID),
                    {"ids": graphene.Argument(graphene.NonNull(graphene.List(pk))), **extra},
                    resolvers.delete_items,
                ),
            }
            for pattern, (result, arguments, resolver) in operations.items():
                key = _unique(pattern.format(base), used)
                attrs[key] = graphene.Field(result, args=arguments, name=key, resolver=partial(resolver, name))
        if not attrs:
            return None
        return type("Mutation", (graphene.ObjectType,), attrs)


def build_schema(
    collections: Mapping[str, CollectionInfo], visible: Mapping[str, tuple], computed: Mapping[str, tuple] | None = None
) -> BuiltSchema:
    """`visible`: collection -> readable field names; `computed`: collection -> names of its
    computed fields (apps.items.computed), which are JSON values."""
    builder = _Builder(collections, visible, computed or {})
    roots = root_collections(collections, visible)
    query = builder.query_type(roots)
    mutation = builder.mutation_type(roots)
    builder.built.schema = graphene.Schema(query=query, mutation=mutation, auto_camelcase=False)
    builder.built.root_collections = tuple(roots)
    return builder.built
