"""Shaping rows of the system tables (`directus_*`) for a response: the `fields` selection, M2O
expansion through `directus_relations` (plus the implicit `file` / `owner` / `user` relations),
the computed `data` object of files (built by apps.files.urls_data), and the basic `meta` block.

    shaper = RowShaper(request)
    tree = parse_fields(view.query.get("fields"))
    item = shaper.shape_one("directus_users", row_to_dict(user), tree)

Field types and relations are read from the project's `directus_fields` and `directus_relations`
tables (cached for the shaper's lifetime, i.e. one request). Related rows are fetched with one
query per relational field and level, never one per row.

Permissions are not applied here (the permission engine comes later); callers decide what the
reader may see before shaping.
"""

from dataclasses import dataclass, field
from functools import cache

from django.apps import apps

from apps.core import errors
from apps.core.query.fields import FieldsTree
from apps.core.serialization import row_to_dict
from apps.files.urls_data import THUMBNAIL_SOURCES, FileDataBuilder, embed_of  # noqa: F401  (moved there)
from directus.conf import directus_settings

# Directus types without a database column (system-schema.md).
ALIAS_TYPES = frozenset({"alias", "o2m", "m2m", "translation", "group"})
# Types that are an M2O without a directus_relations row.
IMPLICIT_RELATIONS = {
    "file": "directus_files",
    "owner": "directus_users",
    "user_created": "directus_users",
    "user": "directus_users",
    "user_updated": "directus_users",
}
# Columns never sent, whoever reads.
HIDDEN_COLUMNS = {"directus_users": frozenset({"password"})}
# directus_users columns only admins and the user themself see (users.md).
PRIVATE_USER_COLUMNS = frozenset({"token", "email_notifications", "last_access_on", "last_page"})

# Collections whose directus_fields rows describe the keys stored in them, not their columns.
KEY_VALUE_COLLECTIONS = frozenset({"directus_settings"})

FILES = "directus_files"
USERS = "directus_users"


@cache
def system_model(collection: str):
    """The model of a `directus_*` table, or None."""
    from apps.projects.routing import is_project_model

    for model in apps.get_models():
        if model._meta.db_table == collection and is_project_model(model):
            return model
    return None


@dataclass
class CollectionInfo:
    name: str
    model: type
    columns: list[str]
    aliases: list[str]
    relations: dict[str, str]  # field -> related collection (M2O)
    types: dict[str, str] = field(default_factory=dict)

    @property
    def primary_key(self) -> str:
        return self.model._meta.pk.column

    def knows(self, name: str) -> bool:
        return name in self.columns or name in self.aliases


class RowShaper:
    """Applies a `fields` tree to rows of one system collection (and the rows they relate to)."""

    def __init__(self, request=None, *, identity=None, project=None):
        self.request = request
        self.identity = identity if identity is not None else getattr(request, "user", None)
        if project is None:
            from apps.projects.context import current_project

            project = current_project()
        self.project = project
        self._infos: dict[str, CollectionInfo] = {}
        self._settings = None

    # -- schema ---------------------------------------------------------------------------

    def info(self, collection: str) -> CollectionInfo:
        if collection not in self._infos:
            from apps.schema.models import Field, Relation

            model = system_model(collection)
            if model is None:
                raise errors.CollectionNotFound(f"Unable to find collection: {collection}")
            columns = [f.column for f in model._meta.concrete_fields]
            types = {}
            if collection not in KEY_VALUE_COLLECTIONS:
                rows = Field.objects.filter(collection=collection).values_list("field", "type")
                types = {name: (kind or "").lower() for name, kind in rows}
            aliases = [name for name, kind in types.items() if kind in ALIAS_TYPES and name not in columns]
            if collection == FILES and "data" not in aliases:
                aliases.append("data")  # computed object, always available
            relations = {
                name: IMPLICIT_RELATIONS[kind]
                for name, kind in types.items()
                if kind in IMPLICIT_RELATIONS and name in columns
            }
            for field_many, collection_one in Relation.objects.filter(collection_many=collection).values_list(
                "field_many", "collection_one"
            ):
                if field_many in columns and collection_one and system_model(collection_one) is not None:
                    relations[field_many] = collection_one
            self._infos[collection] = CollectionInfo(collection, model, columns, aliases, relations, types)
        return self._infos[collection]

    def validate(self, collection: str, tree: FieldsTree) -> None:
        """Unknown names → 422 code 202; too deep → 422 code 12. Recurses into relations."""
        if tree.depth() > directus_settings.MAX_RELATIONAL_DEPTH:
            raise errors.UnprocessableEntity(
                f"The fields parameter is nested deeper than {directus_settings.MAX_RELATIONAL_DEPTH} relations"
            )
        self._validate(collection, tree)

    def _validate(self, collection: str, tree: FieldsTree) -> None:
        info = self.info(collection)
        for name in tree.explicit_names:
            if not info.knows(name):
                raise errors.InvalidField(f'Invalid field "{name}" in "{collection}"')
            child = tree.named[name]
            if child is not None and name in info.relations:
                self._validate(info.relations[name], child)
        if tree.wildcard_children is not None:
            for name, related in info.relations.items():
                if name not in tree.named or tree.named[name] is None:
                    self._validate(related, tree.wildcard_children)

    # -- shaping --------------------------------------------------------------------------

    def shape_one(self, collection: str, row: dict, tree: FieldsTree) -> dict:
        return self.shape(collection, [row], tree)[0]

    def shape(self, collection: str, rows: list[dict], tree: FieldsTree) -> list[dict]:
        """Rows (dicts keyed by column, as `row_to_dict` gives them) reduced to the selection,
        their relational values expanded where the tree asks for it."""
        self.validate(collection, tree)
        return self._shape(collection, rows, tree)

    def _shape(self, collection: str, rows: list[dict], tree: FieldsTree) -> list[dict]:
        info = self.info(collection)
        hidden = HIDDEN_COLUMNS.get(collection, frozenset())
        wildcard_names = [c for c in info.columns if c not in hidden]
        if collection == FILES:
            wildcard_names.append("data")
        names = [n for n in tree.select(wildcard_names) if n not in hidden]

        expanded: dict[str, dict] = {}
        for name in names:
            child = tree.child(name)
            related = info.relations.get(name)
            if child is not None and related is not None:
                expanded[name] = self._related_rows(related, [row.get(name) for row in rows], child)

        out = []
        for row in rows:
            item = {}
            for name in names:
                if name in expanded:
                    item[name] = expanded[name].get(_key(row.get(name)))
                elif name == "data" and collection == FILES:
                    item[name] = self.file_data(row)
                elif name in row:
                    item[name] = row[name]
                # Alias fields (O2M etc.) produce nothing here.
            if collection == USERS:
                self._hide_private_user_columns(row, item)
            out.append(item)
        return out

    def _related_rows(self, collection: str, values: list, tree: FieldsTree) -> dict:
        """{fk: shaped related row} for the non-empty foreign keys in `values`."""
        ids = {value for value in values if value not in (None, "")}
        if not ids:
            return {}
        info = self.info(collection)
        pk = info.primary_key
        instances = info.model.objects.filter(pk__in=ids)
        rows = [row_to_dict(instance) for instance in instances]
        shaped = self._shape(collection, rows, tree)
        return {_key(row[pk]): item for row, item in zip(rows, shaped, strict=True)}

    def _hide_private_user_columns(self, row: dict, item: dict) -> None:
        identity = self.identity
        if identity is None or getattr(identity, "is_admin", False):
            return
        if getattr(identity, "user_id", None) == row.get("id"):
            return
        for name in PRIVATE_USER_COLUMNS:
            item.pop(name, None)

    # -- files ----------------------------------------------------------------------------

    def file_object(self, file_id, tree: FieldsTree | None = None) -> dict | None:
        """The full file object (with `data`) of a `directus_files` id, or None if missing."""
        if file_id in (None, ""):
            return None
        model = system_model(FILES)
        try:
            instance = model.objects.filter(pk=int(file_id)).first()
        except (TypeError, ValueError):
            return None
        if instance is None:
            return None
        return self.shape_one(FILES, row_to_dict(instance), tree or FieldsTree(wildcard=True))

    @property
    def project_settings(self):
        if self._settings is None:
            from apps.schema.project_settings import load_settings

            self._settings = load_settings()
        return self._settings

    def base_url(self) -> str:
        """Scheme and host the API is reached at (`PUBLIC_URL`, else the request's host)."""
        return self._file_data_builder().base_url()

    def _file_data_builder(self) -> FileDataBuilder:
        if getattr(self, "_builder", None) is None:
            self._builder = FileDataBuilder(self.request, project=self.project, settings=self.project_settings)
        return self._builder

    def file_urls(self, row: dict) -> dict:
        """`{full_url, url, asset_url}` of a file row (files.md § data rules)."""
        return self._file_data_builder().file_urls(row)

    def file_data(self, row: dict) -> dict:
        return self._file_data_builder().file_data(row)


def _key(value):
    """Foreign keys compare as text (an int column may be referenced by a string and back)."""
    return None if value is None else str(value)


# -- meta ---------------------------------------------------------------------------------

META_KEYS = ("collection", "type", "result_count", "total_count", "filter_count")


def requested_meta(value) -> set[str]:
    """The `meta` parameter as a set of keys (`*` = all the keys produced here)."""
    from apps.core.query.fields import split_entries

    keys = set(split_entries(value))
    if "*" in keys:
        keys |= set(META_KEYS)
    return keys


def build_meta(
    value, *, collection: str, single: bool, result_count: int | None = None, total_count=None
) -> dict | None:
    """The `meta` object for a response, or None when none was asked for. `total_count` may be a
    callable, evaluated only when the count is requested. Single objects only get `collection`
    and `type` (query.md § meta)."""
    keys = requested_meta(value)
    if not keys:
        return None
    meta = {}
    if "collection" in keys:
        meta["collection"] = collection
    if "type" in keys:
        meta["type"] = "item" if single else "collection"
    if not single:
        if "result_count" in keys:
            meta["result_count"] = result_count
        if keys & {"total_count", "filter_count"}:
            total = total_count() if callable(total_count) else total_count
            if "total_count" in keys:
                meta["total_count"] = total
            if "filter_count" in keys:
                meta["filter_count"] = total
    return meta
