"""Django models built at run time from collection descriptions.

Each project has its own private `Apps` registry, so generated models never enter Django's global
registry and two projects' collections never collide. A model is replaced whole when its collection
changes; the old class is unregistered so it can be garbage-collected."""

import re

from django.apps.registry import Apps
from django.db import models

from .datatypes import ColumnSpec, build_model_field, closest_datatype
from .description import CollectionInfo, FieldInfo

APP_LABEL = "runtime"


def new_registry() -> Apps:
    return Apps(installed_apps=())


def column_spec(info: FieldInfo) -> ColumnSpec:
    column = info.column
    datatype = closest_datatype(column.datatype)
    length = column.length
    if datatype in {"DECIMAL", "NUMERIC"} and isinstance(length, str) and "," in length:
        precision, scale = length.split(",", 1)
        length = (int(precision), int(scale))
    return ColumnSpec(
        datatype=datatype,
        length=length,
        signed=column.signed,
        nullable=column.nullable,
        default=column.default,
        primary_key=column.primary_key,
        auto_increment=column.auto_increment and column.primary_key,
        directus_type=info.type,
    )


def model_field(info: FieldInfo) -> models.Field:
    return build_model_field(column_spec(info), column=info.name)


def build_model(collection: CollectionInfo, registry: Apps, version: int) -> type[models.Model] | None:
    """A model for the collection's table, or None when it cannot have one (no table, no single
    primary key)."""
    if not collection.table_exists:
        return None
    primary = [info for info in collection.columns if info.primary_key]
    if len(primary) != 1:
        return None
    attrs: dict = {
        "__module__": f"{APP_LABEL}.models",
        "Meta": type(
            "Meta",
            (),
            {"app_label": APP_LABEL, "db_table": collection.name, "managed": False, "apps": registry},
        ),
    }
    for info in collection.columns:
        attrs[info.attname] = model_field(info)
    # The version in the class name keeps a replaced model from clashing with its successor.
    class_name = "C_" + re.sub(r"\W", "_", collection.name) + f"_v{version}"
    model = type(class_name, (models.Model,), attrs)
    model._directus_collection = collection.name
    return model


def unregister(model: type[models.Model]) -> None:
    registry = model._meta.apps
    registry.all_models[APP_LABEL].pop(model._meta.model_name, None)
    registry.app_configs.pop(APP_LABEL, None)
    registry.clear_cache()
