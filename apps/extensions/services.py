"""What the extension listings report (extensions.md)."""

import json
import logging
from pathlib import Path

from apps.schema.types import FIELD_TYPES
from directus.conf import directus_settings

logger = logging.getLogger("directus.extensions")

# Directus types, in the order Directus 8 lists them: the type registry is kept in that order.
TYPES = tuple(dict.fromkeys(field_type.name for field_type in FIELD_TYPES.values()))


def extensions_dir() -> Path | None:
    configured = str(directus_settings.EXTENSIONS_DIR or "").strip()
    return Path(configured) if configured else None


def installed(kind: str) -> list[dict]:
    """`<dir>/core/<kind>/*/meta.json` then `<dir>/custom/<kind>/*/meta.json`, each entry
    `{"id": <directory>, "path": "extensions/<core|custom>/<kind>/<id>/meta.json", **meta}`."""
    base = extensions_dir()
    if base is None:
        return []
    entries = []
    for scope in ("core", "custom"):
        folder = base / scope / kind
        if not folder.is_dir():
            continue
        for directory in sorted(path for path in folder.iterdir() if path.is_dir()):
            meta_file = directory / "meta.json"
            if not meta_file.is_file():
                continue
            try:
                meta = json.loads(meta_file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                logger.warning("Skipping extension %s: %s", meta_file, exc)
                continue
            if not isinstance(meta, dict):
                logger.warning("Skipping extension %s: meta.json is not an object", meta_file)
                continue
            meta.pop("id", None)
            entries.append(
                {"id": directory.name, "path": f"extensions/{scope}/{kind}/{directory.name}/meta.json", **meta}
            )
    return entries


def types() -> list[dict]:
    return [{"name": name} for name in TYPES]
