"""Changing a project's schema: collections, fields and relations, with their tables.

Every change runs as one `SchemaChange` (all-or-nothing on every engine), bumps the schema
version of the collections it touched and of the collections related to them, and refreshes
this worker's cache before returning."""

from dataclasses import replace

from django.apps.registry import Apps
from django.core.exceptions import ValidationError
from django.db import models

from apps.core import errors
from apps.permissions.models import Permission
from apps.presets.models import CollectionPreset
from apps.projects.context import require_project
from apps.projects.tables import system_models

from . import cache
from .builder import APP_LABEL
from .datatypes import build_model_field, default_value
from .ddl import SchemaChange, aside_name
from .definitions import (
    FieldDefinition,
    check_collection_fields,
    check_identifier,
    check_unique_system_types,
    parse_field,
    spec_from_column,
)
from .description import (
    RESTRICTED_RELATION_TARGETS,
    SYSTEM_PREFIX,
    CollectionInfo,
    FieldInfo,
    attribute_name,
    describe,
)
from .models import Collection, Field, Relation
from .system_fields import SYSTEM_FIELDS, SYSTEM_RELATIONS

COLLECTION_META_KEYS = ("managed", "hidden", "single", "icon", "note", "translation")


# Wire shapes ---------------------------------------------------------------------------------


def field_object(collection: str, info: FieldInfo) -> dict:
    meta = info.meta or {}
    column = info.column
    return {
        "id": meta.get("id"),
        "collection": collection,
        "field": info.name,
        "type": info.type,
        "interface": meta.get("interface"),
        "options": meta.get("options"),
        "locked": bool(meta.get("locked", False)),
        "validation": meta.get("validation"),
        "required": bool(info.required or info.primary_key),
        "readonly": bool(meta.get("readonly", False)),
        "hidden_detail": bool(meta.get("hidden_detail", False)),
        "hidden_browse": bool(meta.get("hidden_browse", False)),
        "sort": meta.get("sort"),
        "width": meta.get("width", "full") if info.meta else "full",
        "group": meta.get("group"),
        "note": meta.get("note") if meta.get("note") is not None else (column.comment if column else None),
        "translation": meta.get("translation"),
        "datatype": column.datatype if column else None,
        "default_value": _wire_default(column.default) if column else None,
        "auto_increment": bool(column and column.auto_increment),
        "primary_key": bool(column and column.primary_key),
        "unique": bool(column and column.unique),
        "signed": bool(column and column.signed),
        "length": column.length if column else None,
    }


def _wire_default(value):
    if isinstance(value, str) and value.upper() in {"NULL", ""}:
        return None
    return value


def collection_meta_object(info: CollectionInfo) -> dict:
    meta = info.meta or {}
    return {
        "collection": info.name,
        "managed": info.managed,
        "hidden": bool(meta.get("hidden", False)),
        "single": bool(meta.get("single", False)),
        "icon": meta.get("icon"),
        "note": meta.get("note"),
        "translation": meta.get("translation"),
    }


def collection_object(info: CollectionInfo) -> dict:
    return {
        **collection_meta_object(info),
        "fields": {name: field_object(info.name, field) for name, field in info.fields.items()},
    }


# Helpers -------------------------------------------------------------------------------------


def _alias() -> str:
    return require_project().alias


def _fresh(alias: str, name: str) -> CollectionInfo | None:
    """The collection as the database has it right now (not the cached copy)."""
    return describe(alias, [name]).get(name)


def _related(alias: str, name: str) -> set[str]:
    names = {name}
    for row in Relation.objects.using(alias).filter(models.Q(collection_many=name) | models.Q(collection_one=name)):
        names.update(filter(None, [row.collection_many, row.collection_one]))
    return names


def _finish(alias: str, touched: set[str], dropped: set[str] = frozenset()) -> None:
    cache.bump(alias, touched, dropped)


def _refresh() -> None:
    cache.project_schema().refresh()


def ddl_model(table: str, columns: list[tuple[str, models.Field]]) -> type[models.Model]:
    """A throwaway model for the schema editor, in a registry of its own."""
    registry = Apps(installed_apps=())
    attrs = {
        "__module__": f"{APP_LABEL}.ddl",
        "Meta": type("Meta", (), {"app_label": APP_LABEL, "db_table": table, "apps": registry}),
    }
    for index, (name, field) in enumerate(columns):
        attrs[attribute_name(name, index)] = field
    return type("Ddl_" + table.replace("-", "_"), (models.Model,), attrs)


def model_of(info: CollectionInfo) -> type[models.Model]:
    return ddl_model(
        info.name, [(f.name, column_field(f.name, spec_from_column(f.type, f.column))) for f in info.columns]
    )


def column_field(name: str, spec) -> models.Field:
    field = build_model_field(spec, column=name)
    if spec.default is not None and not spec.auto_increment:
        try:
            default_value(field, spec.default)
        except ValidationError:
            raise errors.InvalidRequest(f'field "{name}": default value "{spec.default}" is not valid') from None
    return field


def _attach(model: type[models.Model], name: str, field: models.Field) -> models.Field:
    index = len(model._meta.local_fields)
    field.set_attributes_from_name(attribute_name(name, index + 1000))
    field.model = model
    return field


def _model_field(model: type[models.Model], column: str) -> models.Field:
    return next(f for f in model._meta.local_fields if f.column == column)


def _metadata_row(collection: str, definition: FieldDefinition) -> Field:
    data = {key: value for key, value in definition.metadata.items()}
    if definition.spec is not None and "required" not in data:
        data["required"] = not definition.spec.nullable
    return Field(collection=collection, field=definition.name, type=definition.type, **data)


def _require_admin(identity, error=errors.Unauthorized, message: str | None = None) -> None:
    if not getattr(identity, "is_admin", False):
        raise error(message) if message else error()


# Collections ---------------------------------------------------------------------------------


def create_collection(data, identity) -> CollectionInfo:
    _require_admin(identity, message="Unauthorized to create collections")
    if not isinstance(data, dict):
        raise errors.InvalidPayload()
    name = check_identifier(data.get("collection"), "collection")
    if name.lower().startswith(SYSTEM_PREFIX):
        raise errors.InvalidRequest(f'collection: "{name}" may not start with "{SYSTEM_PREFIX}"')
    unknown = set(data) - {"collection", "fields", *COLLECTION_META_KEYS}
    if unknown:
        raise errors.UnprocessableEntity(f"Unknown attributes: {', '.join(sorted(unknown))}")
    alias = _alias()
    existing = _fresh(alias, name)
    if existing is not None and existing.managed:
        raise errors.CollectionExists(f'Collection "{name}" already exists')
    raw_fields = data.get("fields") or []
    if not isinstance(raw_fields, list):
        raise errors.InvalidRequest("fields: must be an array")
    definitions = [parse_field(item) for item in raw_fields]
    meta = {key: data[key] for key in COLLECTION_META_KEYS if key in data}
    meta["managed"] = bool(meta.get("managed", True))

    with SchemaChange(alias) as change:
        if existing is None or not existing.table_exists:
            if not definitions:
                raise errors.InvalidRequest("fields: a new collection needs its fields")
            check_collection_fields(definitions)
            columns = [(d.name, column_field(d.name, d.spec)) for d in definitions if not d.alias]
            model = ddl_model(name, columns)
            change.ddl(lambda editor: editor.create_model(model), undo=lambda editor: editor.delete_model(model))
        else:
            # An unmanaged table becomes managed: its columns are added or kept, never dropped.
            _alter_fields(change, alias, existing, definitions)
        # An unmanaged table may already have a row (managed: false); undoing puts it back.
        change.write(
            lambda: Collection.objects.using(alias).update_or_create(collection=name, defaults=meta),
            undo=lambda: _restore_collection_row(alias, name, existing.meta if existing else None),
        )
        _write_field_rows(change, alias, name, definitions)
        _finish(alias, _related(alias, name))
    _refresh()
    return cache.project_schema().collection(name)


def _restore_collection_row(alias: str, name: str, old_meta: dict | None) -> None:
    if old_meta is None:
        Collection.objects.using(alias).filter(collection=name).delete()
    else:
        Collection.objects.using(alias).update_or_create(collection=name, defaults=old_meta)


def update_collection(name: str, data, identity) -> CollectionInfo:
    _require_admin(identity)
    if not isinstance(data, dict):
        raise errors.InvalidPayload()
    alias = _alias()
    existing = _fresh(alias, name)
    if existing is None:
        raise errors.CollectionNotFound(f"Unable to find collection: {name}")
    becomes_managed = bool(data.get("managed")) if "managed" in data else None
    if not existing.managed and becomes_managed is not True and existing.meta is None:
        raise errors.CollectionNotManaged(f'Collection "{name}" is not managed by Directus')
    raw_fields = data.get("fields") or []
    if not isinstance(raw_fields, list):
        raise errors.InvalidRequest("fields: must be an array")
    meta = {key: data[key] for key in COLLECTION_META_KEYS if key in data}
    old_meta = existing.meta
    with SchemaChange(alias) as change:
        definitions = []
        for item in raw_fields:
            current = existing.fields.get(item.get("field")) if isinstance(item, dict) else None
            definitions.append(parse_field(item, existing=_definition_of(current) if current else None))
        if definitions:
            _alter_fields(change, alias, existing, definitions)
            _write_field_rows(change, alias, name, definitions)

        change.write(
            lambda: Collection.objects.using(alias).update_or_create(collection=name, defaults=meta),
            undo=lambda: _restore_collection_row(alias, name, old_meta),
        )
        _finish(alias, _related(alias, name))
    _refresh()
    return cache.project_schema().collection(name)


def delete_collection(name: str, identity) -> None:
    _require_admin(identity, errors.AlterCollectionDenied)
    alias = _alias()
    if name.startswith(SYSTEM_PREFIX):
        raise errors.AlterCollectionDenied(f'Collection "{name}" cannot be deleted')
    existing = _fresh(alias, name)
    if existing is None or not existing.table_exists:
        raise errors.CollectionNotFound(f"Unable to find collection: {name}")
    touched = _related(alias, name)
    model = model_of(existing)
    with SchemaChange(alias) as change:
        if not change.transactional:
            # Rename the table aside first, so nothing is lost until every other step succeeded.
            aside = aside_name(name)
            change.ddl(
                lambda editor: editor.alter_db_table(model, name, aside),
                undo=lambda editor: editor.alter_db_table(model, aside, name),
            )
            aside_model = ddl_model(aside, [(f.column, f.clone()) for f in model._meta.local_fields])
            change.finally_ddl(lambda editor: editor.delete_model(aside_model))
        else:
            change.ddl(lambda editor: editor.delete_model(model))
        _delete_rows(change, Permission.objects.using(alias).filter(collection=name))
        _delete_rows(change, Field.objects.using(alias).filter(collection=name))
        _delete_rows(change, Relation.objects.using(alias).filter(collection_many=name))
        _delete_rows(change, Collection.objects.using(alias).filter(collection=name))
        _delete_rows(change, CollectionPreset.objects.using(alias).filter(collection=name))
        _finish(alias, touched, {name})
    _refresh()


def _delete_rows(change: SchemaChange, queryset) -> None:
    rows = list(queryset)
    if not rows:
        return
    model = queryset.model
    alias = queryset.db
    change.write(lambda: queryset.delete(), undo=lambda: model.objects.using(alias).bulk_create(rows))


# Fields --------------------------------------------------------------------------------------


def _definition_of(info: FieldInfo) -> FieldDefinition:
    spec = spec_from_column(info.type, info.column) if info.column else None
    return FieldDefinition(info.name, info.type, spec, dict(info.meta or {}), frozenset())


def _alter_fields(change: SchemaChange, alias: str, existing: CollectionInfo, definitions) -> None:
    """Add new columns and alter changed ones; alias/real switches drop or add the column."""
    merged = [
        _definition_of(info) for name, info in existing.fields.items() if name not in {d.name for d in definitions}
    ]
    check_unique_system_types([*merged, *definitions])
    # The table's columns as they are after each step. Every step gets a model of exactly that
    # table: SQLite's schema editor rebuilds the whole table from the model it is given, so a
    # model that missed an earlier step of the same change would silently undo it.
    specs = {info.name: spec_from_column(info.type, info.column) for info in existing.columns}
    model = model_of(existing)
    for definition in definitions:
        current = existing.fields.get(definition.name)
        if current is not None and current.primary_key and definition.spec is not None:
            before = spec_from_column(current.type, current.column)
            if _column_changes(before, definition.spec):
                raise errors.FieldChangeFailed(f'The primary key "{definition.name}" cannot be changed')
        if current is None or current.alias:
            if definition.spec is None:
                continue
            if definition.spec.primary_key:
                raise errors.UnprocessableEntity("Collection must only have one primary key field.")
            field = _attach(model, definition.name, column_field(definition.name, definition.spec))
            change.ddl(
                lambda editor, model=model, field=field: editor.add_field(model, field),
                undo=lambda editor, model=model, field=field: editor.remove_field(model, field),
            )
            specs[definition.name] = definition.spec
        elif definition.spec is None:
            _drop_column(change, model, current)
            specs.pop(current.name, None)
        else:
            before = spec_from_column(current.type, current.column)
            after = definition.spec
            if not _column_changes(before, after):
                continue
            old_field = _model_field(model, current.name)
            new_field = _attach(model, current.name, column_field(current.name, after))
            new_field.set_attributes_from_name(old_field.name)
            change.ddl(
                lambda editor, model=model, old=old_field, new=new_field: editor.alter_field(model, old, new),
                undo=lambda editor, model=model, old=old_field, new=new_field: editor.alter_field(model, new, old),
            )
            specs[current.name] = after
        model = ddl_model(existing.name, [(name, column_field(name, spec)) for name, spec in specs.items()])


def _column_changes(before, after) -> bool:
    keys = ("datatype", "length", "signed", "nullable", "default", "unique", "primary_key", "auto_increment")
    normalised = replace(after, directus_type=before.directus_type)
    return any(getattr(before, key) != getattr(normalised, key) for key in keys) or (
        before.directus_type != after.directus_type
        and {before.directus_type, after.directus_type} & {"boolean", "json", "array"}
    )


def _drop_column(change: SchemaChange, model, info: FieldInfo) -> None:
    field = _model_field(model, info.name)
    if change.transactional:
        change.ddl(lambda editor: editor.remove_field(model, field))
        return
    aside = field.clone()
    aside.set_attributes_from_name(field.name)
    aside.column = aside_name(info.name)
    aside.db_column = aside.column
    aside.model = model
    change.ddl(
        lambda editor: editor.alter_field(model, field, aside),
        undo=lambda editor: editor.alter_field(model, aside, field),
    )
    change.finally_ddl(lambda editor: editor.remove_field(model, aside))


def _write_field_rows(change: SchemaChange, alias: str, collection: str, definitions) -> None:
    for definition in definitions:
        current = Field.objects.using(alias).filter(collection=collection, field=definition.name).first()
        row = _metadata_row(collection, definition)
        if current is None:
            change.write(
                lambda row=row: row.save(using=alias),
                undo=lambda row=row: Field.objects.using(alias).filter(pk=row.pk).delete(),
            )
        else:
            updates = {key: getattr(row, key) for key in ("type", *definition.metadata)}
            if (
                definition.spec is not None
                and "required" not in definition.metadata
                and ({"nullable", "required", "primary_key"} & definition.given)
            ):
                updates["required"] = not definition.spec.nullable
            snapshot = {f.attname: getattr(current, f.attname) for f in Field._meta.concrete_fields}
            change.write(
                lambda pk=current.pk, updates=updates: Field.objects.using(alias).filter(pk=pk).update(**updates),
                undo=lambda pk=current.pk, snapshot=snapshot: (
                    Field.objects.using(alias).filter(pk=pk).update(**snapshot)
                ),
            )


def add_field(collection: str, data, identity) -> FieldInfo:
    _require_admin(identity, errors.CreateDenied)
    alias = _alias()
    existing = _fresh(alias, collection)
    if existing is None:
        raise errors.CollectionNotFound(f"Unable to find collection: {collection}")
    definition = parse_field(data)
    if definition.name in existing.fields and (existing.fields[definition.name].meta or not existing.managed):
        raise errors.FieldExists(f'Field "{definition.name}" already exists')
    with SchemaChange(alias) as change:
        _alter_fields(change, alias, existing, [definition])
        _write_field_rows(change, alias, collection, [definition])
        _finish(alias, _related(alias, collection))
    _refresh()
    return cache.project_schema().collection(collection).fields[definition.name]


def update_fields(collection: str, items: list[dict], identity) -> list[FieldInfo]:
    """Change one or more fields of a collection as one unit."""
    _require_admin(identity, errors.UpdateDenied)
    alias = _alias()
    existing = _fresh(alias, collection)
    if existing is None:
        raise errors.CollectionNotFound(f"Unable to find collection: {collection}")
    definitions = []
    for item in items:
        if not isinstance(item, dict):
            raise errors.InvalidPayload()
        current = existing.fields.get(item.get("field"))
        if current is None:
            raise errors.FieldNotFound(f'Unable to find field "{item.get("field")}"')
        definitions.append(parse_field(item, existing=_definition_of(current)))
    with SchemaChange(alias) as change:
        _alter_fields(change, alias, existing, definitions)
        _write_field_rows(change, alias, collection, definitions)
        _finish(alias, _related(alias, collection))
    _refresh()
    fresh = cache.project_schema().collection(collection)
    return [fresh.fields[d.name] for d in definitions]


_BUILT_IN_FIELDS = frozenset((row["collection"], row["field"]) for row in SYSTEM_FIELDS)


def _built_in_field(collection: str, name: str) -> bool:
    """A field the system's own code relies on: a column of a system table's model, or one of
    the system's field rows (fields added to a system collection by users are theirs)."""
    if (collection, name) in _BUILT_IN_FIELDS:
        return True
    if not collection.startswith(SYSTEM_PREFIX):
        return False
    return any(
        field.column == name
        for model in system_models()
        if model._meta.db_table == collection
        for field in model._meta.concrete_fields
    )


def delete_field(collection: str, name: str, identity, *, delete_junction: bool = False) -> None:
    _require_admin(identity, errors.DeleteDenied)
    alias = _alias()
    existing = _fresh(alias, collection)
    if existing is None:
        raise errors.CollectionNotFound(f"Unable to find collection: {collection}")
    info = existing.fields.get(name)
    if info is None:
        raise errors.FieldNotFound(f'Unable to find field "{name}"')
    if _built_in_field(collection, name):
        raise errors.DeleteDenied(f'The built-in field "{collection}.{name}" cannot be deleted')
    if info.primary_key:
        raise errors.UnprocessableEntity(f'The primary key "{name}" cannot be deleted')
    if not info.alias and len(existing.columns) <= 1:
        raise errors.UnprocessableEntity("Cannot delete the last field of a collection")
    touched = _related(alias, collection)
    with SchemaChange(alias) as change:
        if not info.alias:
            _drop_column(change, model_of(existing), info)
        _delete_rows(change, Field.objects.using(alias).filter(collection=collection, field=name))
        dropped = _clean_relations(change, alias, collection, info, delete_junction)
        if info.type == "status":
            _delete_rows(change, Permission.objects.using(alias).filter(collection=collection, status__isnull=False))
        _finish(alias, touched | dropped, dropped)
    _refresh()


def _clean_relations(
    change: SchemaChange, alias: str, collection: str, info: FieldInfo, delete_junction: bool
) -> set[str]:
    """Clean the relations of a field being deleted; returns the junction tables it drops."""
    rows = Relation.objects.using(alias)
    dropped: set[str] = set()
    if not info.alias:
        many = rows.filter(collection_many=collection, field_many=info.name)
        for relation in many:
            if relation.collection_one and relation.field_one:
                _delete_rows(
                    change,
                    Field.objects.using(alias).filter(collection=relation.collection_one, field=relation.field_one),
                )
        _delete_rows(change, many)
        return dropped
    one = list(rows.filter(collection_one=collection, field_one=info.name))
    for relation in one:
        if relation.junction_field:
            junction = rows.filter(collection_many=relation.collection_many)
            _delete_rows(change, junction)
            if delete_junction:
                junction_info = _fresh(alias, relation.collection_many)
                if junction_info is not None and junction_info.table_exists:
                    model = model_of(junction_info)
                    change.finally_ddl(lambda editor, model=model: editor.delete_model(model))
                    dropped.add(relation.collection_many)
                    _delete_rows(change, Field.objects.using(alias).filter(collection=relation.collection_many))
                    _delete_rows(change, Collection.objects.using(alias).filter(collection=relation.collection_many))
        else:
            previous = relation.field_one
            change.write(
                lambda pk=relation.pk: Relation.objects.using(alias).filter(pk=pk).update(field_one=None),
                undo=lambda pk=relation.pk, previous=previous: (
                    Relation.objects.using(alias).filter(pk=pk).update(field_one=previous)
                ),
            )
    return dropped


# Relations -----------------------------------------------------------------------------------

RELATION_KEYS = ("collection_many", "field_many", "collection_one", "field_one", "junction_field")


def _check_relation(data: dict, *, partial: bool) -> dict:
    if not isinstance(data, dict):
        raise errors.InvalidPayload()
    unknown = set(data) - {*RELATION_KEYS, "id"}
    if unknown:
        raise errors.UnprocessableEntity(f"Unknown attributes: {', '.join(sorted(unknown))}")
    values = {key: data[key] for key in RELATION_KEYS if key in data}
    if not partial:
        for key in ("collection_many", "field_many"):
            if not values.get(key):
                raise errors.InvalidRequest(f"{key}: this value is required")
    for key, value in values.items():
        if value is not None and not isinstance(value, str):
            raise errors.InvalidRequest(f"{key}: must be a string")
    if values.get("collection_one") in RESTRICTED_RELATION_TARGETS:
        raise errors.SystemCollectionAccess()
    return values


def create_relations(items: list[dict], identity) -> list[Relation]:
    _require_admin(identity, errors.CreateDenied)
    alias = _alias()
    checked = [_check_relation(item, partial=False) for item in items]
    created = []
    touched: set[str] = set()
    with SchemaChange(alias) as change:
        for values in checked:
            relation = Relation(**values)
            change.write(
                lambda relation=relation: relation.save(using=alias),
                undo=lambda relation=relation: Relation.objects.using(alias).filter(pk=relation.pk).delete(),
            )
            created.append(relation)
            touched.update(filter(None, [values.get("collection_many"), values.get("collection_one")]))
        _finish(alias, touched)
    _refresh()
    return created


def update_relations(ids: list[int], data, identity) -> list[Relation]:
    _require_admin(identity, errors.UpdateDenied)
    alias = _alias()
    values = _check_relation(data, partial=True)
    relations = list(Relation.objects.using(alias).filter(pk__in=ids))
    if len(relations) != len(set(ids)):
        raise errors.ItemNotFound()
    _not_built_in(relations, errors.UpdateDenied)
    touched: set[str] = set()
    with SchemaChange(alias) as change:
        for relation in relations:
            snapshot = {key: getattr(relation, key) for key in RELATION_KEYS}
            touched.update(filter(None, [relation.collection_many, relation.collection_one]))
            change.write(
                lambda pk=relation.pk: Relation.objects.using(alias).filter(pk=pk).update(**values),
                undo=lambda pk=relation.pk, snapshot=snapshot: (
                    Relation.objects.using(alias).filter(pk=pk).update(**snapshot)
                ),
            )
        touched.update(filter(None, [values.get("collection_many"), values.get("collection_one")]))
        _finish(alias, touched)
    _refresh()
    return list(Relation.objects.using(alias).filter(pk__in=ids).order_by("id"))


# The relations between system collections that the system's own code relies on.
_BUILT_IN_RELATIONS = frozenset((row["collection_many"], row["field_many"]) for row in SYSTEM_RELATIONS)


def _not_built_in(relations: list[Relation], error: type[errors.DirectusError]) -> None:
    for relation in relations:
        if (relation.collection_many, relation.field_many) in _BUILT_IN_RELATIONS:
            raise error(f'The built-in relation "{relation.collection_many}.{relation.field_many}" cannot be changed')


def delete_relations(ids: list[int], identity) -> None:
    _require_admin(identity, errors.DeleteDenied)
    alias = _alias()
    relations = Relation.objects.using(alias).filter(pk__in=ids)
    found = list(relations)
    if len(found) != len(set(ids)):
        raise errors.ItemNotFound()
    _not_built_in(found, errors.DeleteDenied)
    with SchemaChange(alias) as change:
        _delete_rows(change, relations)
        _finish(alias, {name for r in found for name in (r.collection_many, r.collection_one) if name})
    _refresh()
