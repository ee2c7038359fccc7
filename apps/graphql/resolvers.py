"""Root resolvers: each GraphQL list or mutation is a call to the item service, as REST's are.

A list field turns its selection set into the REST `fields` tree, reads all rows and their
relations with one `ItemReader.read` (one statement per relation level, never per row), and
returns the reader's dicts; graphene then resolves plain dict keys. Filters become the REST
filter tree (`make_condition`, `and_`, `or_`); mutations go through the same service calls as
REST writes, inside the transaction the view opens around the whole operation.
"""

from dataclasses import dataclass, replace

from graphql import GraphQLObjectType, get_named_type
from graphql.execution.collect_fields import collect_sub_fields

from apps.core import errors
from apps.core.query.fields import FieldsTree
from apps.core.query.filters import and_, make_condition, or_
from apps.core.query.params import parse_params
from apps.items import listing
from apps.items.keys import split_ids
from apps.items.operations import ItemService
from directus.conf import directus_settings

from .types import SYSTEM_ARGUMENTS


class GraphQLContext:
    """What the resolvers of one request share: the caller's item service, the project schema
    and the built GraphQL schema's name maps."""

    def __init__(self, request, items: ItemService, built):
        self.request = request  # the DRF request (its `.user` is the identity)
        self.items = items
        self.built = built
        self.failed = False  # a mutation failed: the rest of the operation is skipped

    @property
    def schema(self):
        return self.items.schema

    @property
    def computed(self) -> dict:
        return self.items.computed

    def collection(self, name: str):
        info = self.schema.collection(name)
        if info is None or not info.table_exists or info.primary_key is None:
            raise errors.CollectionNotFound(f"Unable to find collection: {name}")
        return info


# The selection set as a `fields` tree ------------------------------------------------------------


def _object_type(graphql_type) -> GraphQLObjectType | None:
    named = get_named_type(graphql_type)
    return named if isinstance(named, GraphQLObjectType) else None


def selection_tree(info, item_type: GraphQLObjectType, field_nodes, collection) -> FieldsTree:
    """The REST `fields` tree of what the query selects inside items of `item_type` (fragments,
    aliases, @include/@skip resolved). The primary key is always read (REST does too)."""
    tree = FieldsTree()
    tree.named[collection.primary_key.name] = None
    refs = info.context.built.item_fields.get(item_type.name, {})
    fields = collect_sub_fields(info.schema, info.fragments, info.variable_values, item_type, field_nodes)
    for nodes in fields.values():
        ref = refs.get(nodes[0].name.value)
        if ref is None:
            continue  # __typename
        if ref.target is None:
            tree.named.setdefault(ref.name, None)
            continue
        child_type = _object_type(item_type.fields[nodes[0].name.value].type)
        target = info.context.schema.collection(ref.target)
        child = selection_tree(info, child_type, nodes, target)
        tree.named[ref.name] = _merge(tree.named.get(ref.name), child)
    return tree


def _merge(left: FieldsTree | None, right: FieldsTree) -> FieldsTree:
    """Two selections of the same relation (aliases) read once, with the union of their fields."""
    if left is None:
        return right
    for name, child in right.named.items():
        if child is None:
            left.named.setdefault(name, None)
        else:
            left.named[name] = _merge(left.named.get(name), child)
    return left


def _item_type_and_nodes(info, wrapper: bool):
    """(item type, field nodes selecting inside items) of the current field."""
    return_type = _object_type(info.return_type)
    if not wrapper:
        return return_type, info.field_nodes
    fields = collect_sub_fields(info.schema, info.fragments, info.variable_values, return_type, info.field_nodes)
    nodes = [node for key_nodes in fields.values() for node in key_nodes if node.name.value == "data"]
    return _object_type(return_type.fields["data"].type), nodes


# Filters -------------------------------------------------------------------------------------


def filter_node(built, collection: str, value, prefix: tuple[str, ...] = ()):
    """A GraphQL filter input as the REST filter tree: keys of one object are ANDed in order;
    `and: [...]` / `or: [...]` combine whole filter objects."""
    if not value:
        return None
    keys = built.filter_keys.get(collection, {})
    nodes = []
    for key, operand in dict.items(value):
        spec = keys.get(key)
        if spec is None:
            continue
        if spec.logical is not None:
            parts = [filter_node(built, collection, entry, prefix) for entry in operand or ()]
            nodes.append((or_ if spec.logical == "or" else and_)(*parts))
        elif spec.operator is None:
            nodes.append(filter_node(built, spec.target, operand, (*prefix, spec.field)))
        elif operand is not None:
            nodes.append(make_condition(".".join((*prefix, spec.field)), spec.operator, operand))
    return and_(*nodes)


# Lists ---------------------------------------------------------------------------------------


@dataclass
class ListResult:
    """The `<Collection>` object: `data` is read already, `meta` counts only what is selected."""

    data: list
    meta: "ListMeta"


class ListMeta:
    """`meta` of a list: the counts run only when the query selects them."""

    def __init__(self, result: listing.ListRead):
        self.collection = result.collection.name
        self.type = "collection"
        self.result_count = len(result.data)
        self._result = result

    @property
    def total_count(self) -> int:
        return self._result.total_count

    @property
    def filter_count(self) -> int:
        return self._result.filter_count


def resolve_list(collection_name: str, root, info, **args):
    context: GraphQLContext = info.context
    collection = context.collection(collection_name)
    item_type, nodes = _item_type_and_nodes(info, wrapper=True)
    tree = selection_tree(info, item_type, nodes, collection) if nodes else _key_only(collection)

    conditions = [filter_node(context.built, collection_name, args.get("filter"))]
    if args.get("id") is not None:
        conditions.append(make_condition(collection.primary_key.name, "eq", args["id"]))
    for argument, field in SYSTEM_ARGUMENTS.get(collection_name, {}).items():
        if args.get(argument) is not None:
            conditions.append(make_condition(field, "eq", args[argument]))
    raw = {
        key: args[key]
        for key in ("limit", "offset", "page", "sort", "q", "status", "lang")
        if args.get(key) is not None
    }
    query = replace(parse_params(raw), fields=tree, filter=and_(*conditions))
    most = directus_settings.MAX_RELATIONAL_DEPTH
    if tree.depth() > most:
        raise errors.InvalidRequest(f"fields: relational depth {tree.depth()} is more than the limit of {most}")
    result = context.items.run_query(collection, query)
    return ListResult(result.data, ListMeta(result))


def _key_only(collection) -> FieldsTree:
    tree = FieldsTree()
    tree.named[collection.primary_key.name] = None
    return tree


# Mutations -----------------------------------------------------------------------------------


def _mutation(function):
    """Mutations of one request run in order inside one transaction; after one fails, the
    rest are skipped (the view rolls everything back and answers without data)."""

    def resolve(collection_name: str, root, info, **args):
        context: GraphQLContext = info.context
        if context.failed:
            return None
        try:
            return function(context, context.collection(collection_name), info, **args)
        except Exception:
            context.failed = True
            raise

    resolve.__name__ = function.__name__
    return resolve


def _items(context: GraphQLContext, comment, activity_skip) -> ItemService:
    return context.items.with_comment(comment, activity_skip=bool(activity_skip))


def _one_per_key(collection, written) -> list:
    """The written items as the caller may read them now, shaped by the selection set, one per
    key (None where the caller may not read it)."""
    by_key = {item.get(collection.primary_key.name): item for item in written.data or []}
    return [by_key.get(key) for key in written.keys]


def _fields(info, collection) -> dict:
    """The selection set of the written items as REST query parameters."""
    item_type, nodes = _item_type_and_nodes(info, wrapper=False)
    return {"fields": selection_tree(info, item_type, nodes, collection).paths()}


def _key(collection, value):
    return split_ids(collection, str(value))[0]


@_mutation
def create_item(context, collection, info, data, comment=None, activity_skip=None):
    written = _items(context, comment, activity_skip).create(collection, [data], _fields(info, collection))
    return _one_per_key(collection, written)[0]


@_mutation
def create_items(context, collection, info, data, comment=None, activity_skip=None):
    written = _items(context, comment, activity_skip).create(collection, data, _fields(info, collection))
    return _one_per_key(collection, written)


@_mutation
def update_item(context, collection, info, id, data, comment=None, activity_skip=None):
    items = _items(context, comment, activity_skip)
    written = items.update(collection, [_key(collection, id)], data, _fields(info, collection))
    return _one_per_key(collection, written)[0]


@_mutation
def update_items(context, collection, info, data, comment=None, activity_skip=None):
    written = _items(context, comment, activity_skip).update_by_key(collection, data, _fields(info, collection))
    return _one_per_key(collection, written)


@_mutation
def delete_item(context, collection, info, id, comment=None, activity_skip=None):
    key = _key(collection, id)
    _items(context, comment, activity_skip).delete(collection, [key])
    return key


@_mutation
def delete_items(context, collection, info, ids, comment=None, activity_skip=None):
    keys = [_key(collection, value) for value in ids]
    _items(context, comment, activity_skip).delete(collection, keys)
    return keys
