"""A snapshot document: its shape, how it is checked, and how it is written as JSON or YAML.

    version: 1                 # the format of the document; a newer one is refused
    directus: 8.8.1            # the API it describes
    engine: sqlite             # where it was taken (for information; it applies to any engine)
    collections:               # user collections by name, each with its fields by sort, then name
    - collection: articles
      hidden: false
      ...
      fields:
      - field: id
        type: integer
        datatype: INT
        ...
    relations:                 # directus_relations rows of user collections, without ids
    - collection_many: articles
      field_many: author
      collection_one: authors
      field_one: articles
      junction_field: null

Keys are sorted inside every object (its name first, a collection's fields last), so two
snapshots of one schema are the same text and a change shows as a small diff. Fields are in the
engine-neutral form of `canonical`."""

import json
from dataclasses import dataclass

import yaml

from apps.core import errors
from apps.schema.definitions import check_identifier
from apps.schema.description import SYSTEM_PREFIX

from .canonical import COLLECTION_DEFAULTS, FIELD_KEYS, RELATION_KEYS, definition_form

FORMAT_VERSION = 1
DIRECTUS_VERSION = "8.8.1"
FORMATS = ("yaml", "json")

TOP_KEYS = frozenset({"version", "directus", "engine", "collections", "relations"})
COLLECTION_KEYS = frozenset({"collection", "fields", *COLLECTION_DEFAULTS})


@dataclass(frozen=True)
class Snapshot:
    """A checked snapshot: collections by name (each with `fields` by name), relations by
    (collection_many, field_many)."""

    engine: str | None
    collections: dict[str, dict]
    relations: dict[tuple[str, str], dict]


def field_order(form: dict) -> tuple:
    return (form.get("sort") is None, form.get("sort") or 0, form["field"])


def build(engine: str, collections: list[dict], relations: list[dict]) -> dict:
    """The document of these collection and relation forms, in its stable order."""
    ordered = []
    for collection in sorted(collections, key=lambda c: c["collection"]):
        fields = [_sorted_keys(form, first="field") for form in sorted(collection["fields"], key=field_order)]
        meta = {key: value for key, value in collection.items() if key != "fields"}
        ordered.append({**_sorted_keys(meta, first="collection"), "fields": fields})
    return {
        "version": FORMAT_VERSION,
        "directus": DIRECTUS_VERSION,
        "engine": engine,
        "collections": ordered,
        "relations": [
            _sorted_keys(relation, first="collection_many")
            for relation in sorted(relations, key=lambda r: (r["collection_many"], r["field_many"]))
        ],
    }


def _sorted_keys(value, first: str | None = None):
    """Keys sorted at every level (`first`, the object's name, leads its object)."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda key: (key != first, key))
        return {key: _sorted_keys(value[key]) for key in keys}
    if isinstance(value, list):
        return [_sorted_keys(item) for item in value]
    return value


def as_document(snapshot: Snapshot) -> dict:
    collections = [
        {**collection, "fields": list(collection["fields"].values())} for collection in snapshot.collections.values()
    ]
    return build(snapshot.engine, collections, list(snapshot.relations.values()))


# Writing and reading text ----------------------------------------------------------------------


def dumps(document: dict, fmt: str = "yaml") -> str:
    if fmt == "json":
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, default_flow_style=False)


class _Loader(yaml.SafeLoader):
    """YAML without aliases: a few nested aliases expand to more nodes than memory holds once
    the document is walked ("billion laughs"), and a snapshot never needs one."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed in a snapshot", mark)
        return super().compose_node(parent, index)


def loads(text: str):
    """A document from JSON or YAML text (JSON is read as YAML too)."""
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise errors.InvalidRequest(f"The snapshot is not readable JSON or YAML: {exc}") from None
    except RecursionError:
        raise errors.InvalidRequest("The snapshot is nested too deeply") from None


# Checking ------------------------------------------------------------------------------------


def parse(document) -> Snapshot:
    """Check a document and put its fields in the engine-neutral form. Every error names the
    place it found: `collections[2] "articles", fields[0] "id": ...`."""
    if not isinstance(document, dict):
        raise errors.InvalidPayload("The snapshot must be an object")
    if not document:
        raise errors.InvalidPayload()
    _check_version(document.get("version"))
    _no_unknown_keys(document, TOP_KEYS, "the snapshot")
    for key in ("directus", "engine"):
        if document.get(key) is not None and not isinstance(document[key], str):
            raise errors.InvalidRequest(f"{key}: must be a string")
    collections = {}
    for index, item in enumerate(_list(document, "collections", "the snapshot")):
        place = f"collections[{index}]"
        collection = _collection(item, place)
        if collection["collection"] in collections:
            raise errors.InvalidRequest(f'{place}: collection "{collection["collection"]}" appears twice')
        collections[collection["collection"]] = collection
    relations = {}
    for index, item in enumerate(_list(document, "relations", "the snapshot")):
        place = f"relations[{index}]"
        relation = _relation(item, place)
        key = (relation["collection_many"], relation["field_many"])
        if key in relations:
            raise errors.InvalidRequest(f'{place}: a second relation of "{key[0]}.{key[1]}"')
        relations[key] = relation
    return Snapshot(engine=document.get("engine"), collections=collections, relations=relations)


def _check_version(version) -> None:
    if version is None:
        raise errors.InvalidRequest(f"version: missing; this server reads snapshots of version {FORMAT_VERSION}")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise errors.InvalidRequest(f"version: {version!r} is not a snapshot format version")
    if version > FORMAT_VERSION:
        raise errors.InvalidRequest(
            f"version: {version} is newer than this server reads (snapshots of version {FORMAT_VERSION})"
        )


def _no_unknown_keys(item: dict, allowed, place: str) -> None:
    unknown = sorted(str(key) for key in set(item) - set(allowed))
    if unknown:
        raise errors.InvalidRequest(f"{place}: unknown keys: {', '.join(unknown)}")


def _list(item: dict, key: str, place: str) -> list:
    value = item.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        located = key if place == "the snapshot" else f"{place}.{key}"
        raise errors.InvalidRequest(f"{located}: must be a list")
    return value


def _collection(item, place: str) -> dict:
    if not isinstance(item, dict):
        raise errors.InvalidRequest(f"{place}: must be an object")
    name = _located(place, check_identifier, item.get("collection"), "collection")
    place = f'{place} "{name}"'
    _no_unknown_keys(item, COLLECTION_KEYS, place)
    if name.lower().startswith(SYSTEM_PREFIX):
        raise errors.InvalidRequest(f"{place}: system collections are not part of a snapshot")
    collection = {"collection": name}
    for key, default in COLLECTION_DEFAULTS.items():
        value = item.get(key, default)
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise errors.InvalidRequest(f"{place}.{key}: must be true or false")
        elif key in {"icon", "note"} and value is not None and not isinstance(value, str):
            raise errors.InvalidRequest(f"{place}.{key}: must be a string")
        collection[key] = value
    fields = {}
    for index, raw in enumerate(_list(item, "fields", place)):
        field_place = f"{place}, fields[{index}]"
        if not isinstance(raw, dict):
            raise errors.InvalidRequest(f"{field_place}: must be an object")
        if isinstance(raw.get("field"), str):
            field_place = f'{field_place} "{raw["field"]}"'
        _no_unknown_keys(raw, FIELD_KEYS, field_place)
        if raw.get("group") is not None and not isinstance(raw["group"], str):
            raise errors.InvalidRequest(f"{field_place}.group: must be the name of a field")
        form = _located(field_place, definition_form, raw)
        if form["field"] in fields:
            raise errors.InvalidRequest(f'{field_place}: field "{form["field"]}" appears twice')
        fields[form["field"]] = form
    if not fields:
        raise errors.InvalidRequest(f"{place}: a collection needs its fields")
    collection["fields"] = fields
    return collection


def _relation(item, place: str) -> dict:
    if not isinstance(item, dict):
        raise errors.InvalidRequest(f"{place}: must be an object")
    _no_unknown_keys(item, RELATION_KEYS, place)
    relation = {}
    for key in RELATION_KEYS:
        value = item.get(key)
        if key in {"collection_many", "field_many"} and not value:
            raise errors.InvalidRequest(f"{place}.{key}: required")
        if value is not None and not isinstance(value, str):
            raise errors.InvalidRequest(f"{place}.{key}: must be a string")
        relation[key] = value or None
    return relation


def _located(place: str, check, *args):
    """Run a check of the fields API, naming the place in its error (same class and code)."""
    try:
        return check(*args)
    except errors.DirectusError as exc:
        raise type(exc)(f"{place}: {exc.message}") from None
