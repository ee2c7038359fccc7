"""Thumbnail parameters (assets.md § Query) and rendering with Pillow, within the limits of
deviations.md: at most THUMBNAIL_MAX_SIDE px per side, sources of at most THUMBNAIL_MAX_PIXELS
pixels (decompression bombs are refused before decoding), quality 1-100, fit crop/contain.

    params = resolve(request.GET, settings)      # None: the original is wanted
    content, mime = render(fileobj, params)"""

import io
import math
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

from PIL import Image, ImageOps, UnidentifiedImageError

from apps.core import errors
from apps.files.urls_data import THUMBNAIL_SOURCES, asset_presets
from directus.conf import directus_settings

FITS = ("crop", "contain")
# Output format per extension; sources that are not web images are rendered as jpeg.
OUTPUT_FORMATS = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP"}
OUTPUT_MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
SOURCE_FORMATS = ("PNG", "JPEG", "GIF", "WEBP", "BMP", "TIFF", "PSD", "AVIF", "ICO")
# Sources Pillow can't rasterise here (no vector/PDF renderer is installed).
NOT_RASTERISED = frozenset({"svg", "pdf"})


@dataclass(frozen=True)
class Params:
    width: int
    height: int
    fit: str
    quality: int
    format: str | None = None  # output extension asked for

    @property
    def directory(self) -> str:
        """The folder of the thumbnail storage these parameters' renders live in (Directus 8's)."""
        return f"w{self.width},h{self.height},f{self.fit},q{self.quality}"

    def output_extension(self, source_name: str) -> str:
        if self.format:
            return self.format
        extension = PurePosixPath(source_name).suffix.lower().lstrip(".")
        return extension if extension in OUTPUT_FORMATS else "jpg"

    def thumbnail_path(self, source_name: str) -> str:
        extension = self.output_extension(source_name)
        source_extension = PurePosixPath(source_name).suffix.lower().lstrip(".")
        name = source_name if extension == source_extension else f"{source_name}.{extension}"
        return f"{self.directory}/{name}"


def _number(value) -> int | None:
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isdigit() else None


def resolve(query, settings) -> Params | None:
    """The thumbnail the query asks for; None when it asks for the original."""
    fmt = (query.get("format") or "").strip().lower() or None
    if fmt is not None and fmt not in OUTPUT_FORMATS:
        raise errors.InvalidRequest(f"format: must be one of {', '.join(OUTPUT_FORMATS)}")
    key = query.get("key")
    if key not in (None, ""):
        for preset in asset_presets(settings):
            if str(preset.get("key")) == key:
                params = _from_preset(preset, fmt)
                if params is None:
                    raise errors.UnprocessableEntity(f'The preset "{key}" is invalid.')
                return _checked(params)
        raise errors.UnprocessableEntity("Key doesn't exist.")
    names = ("w", "h", "f", "q")
    if all(query.get(name) in (None, "") for name in names):
        return None
    width, height, quality = _number(query.get("w")), _number(query.get("h")), _number(query.get("q"))
    fit = (query.get("f") or "").strip().lower()
    if width is None or height is None or quality is None or not fit:
        raise errors.InvalidRequest("w, h, f and q are all required (w, h and q numeric)")
    if fit not in FITS:
        raise errors.InvalidRequest("f: must be crop or contain")
    if not 1 <= quality <= 100:
        raise errors.InvalidRequest("q: must be between 1 and 100")
    params = Params(width, height, fit, quality, fmt)
    if asset_presets(settings, keys=("asset_whitelist",)):
        allowed = {_from_preset(preset, None) for preset in asset_presets(settings)}
        if Params(width, height, fit, quality) not in allowed:
            raise errors.UnprocessableEntity("The params don't match the asset whitelist.")
    return _checked(params)


def _from_preset(preset: dict, fmt: str | None) -> Params | None:
    width, height, quality = _number(preset.get("width")), _number(preset.get("height")), _number(preset.get("quality"))
    fit = str(preset.get("fit") or "").lower()
    if width is None or height is None or quality is None or fit not in FITS:
        return None
    return Params(width, height, fit, quality, fmt)


def _checked(params: Params) -> Params:
    side = int(directus_settings.THUMBNAIL_MAX_SIDE)
    if not (1 <= params.width <= side and 1 <= params.height <= side):
        raise errors.UnprocessableEntity(f"Thumbnails are at most {side} px per side.")
    if not 1 <= params.quality <= 100:
        raise errors.UnprocessableEntity("Thumbnail quality is between 1 and 100.")
    return params


def check_source(filename_disk: str, mime: str) -> None:
    """assets.md: the source's extension must be a supported one (else 422 code 12)."""
    extension = PurePosixPath(filename_disk or "").suffix.lower().lstrip(".")
    if extension not in THUMBNAIL_SOURCES or not (mime or "").startswith("image/"):
        raise errors.UnprocessableEntity(f'Thumbnails can\'t be made from "{extension or filename_disk}" files.')
    if extension in NOT_RASTERISED or mime == "image/svg+xml":
        raise errors.UnprocessableEntity(f'Thumbnails of "{extension}" files are not supported.')


def render(fileobj, params: Params, source_name: str) -> tuple[bytes, str]:
    """The thumbnail's bytes and MIME type."""
    output = OUTPUT_FORMATS[params.output_extension(source_name)]
    max_pixels = int(directus_settings.THUMBNAIL_MAX_PIXELS)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(fileobj, formats=SOURCE_FORMATS)
            with image:
                width, height = image.size
                if width * height > max_pixels:
                    raise errors.UnprocessableEntity(f"The source image has more than {max_pixels} pixels.")
                if image.format == "JPEG":
                    image.draft("RGB", _needed_size(width, height, params))
                image.load()
                result = _resize(ImageOps.exif_transpose(image), params)
    except errors.DirectusError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise errors.UnprocessableEntity(f"The source image has more than {max_pixels} pixels.") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        raise errors.UnprocessableEntity("The source image can't be decoded.") from exc
    buffer = io.BytesIO()
    _save(result, buffer, output, params.quality)
    return buffer.getvalue(), OUTPUT_MIME[output]


def _needed_size(width: int, height: int, params: Params) -> tuple[int, int]:
    scales = (params.width / width, params.height / height)
    scale = max(scales) if params.fit == "crop" else min(scales)
    return max(1, math.ceil(width * scale)), max(1, math.ceil(height * scale))


def _resize(image, params: Params):
    size = (params.width, params.height)
    if image.mode not in {"RGB", "RGBA", "L", "LA"}:
        image = image.convert("RGBA" if "transparency" in image.info or image.mode in {"P", "PA"} else "RGB")
    if params.fit == "crop":
        return ImageOps.fit(image, size, Image.Resampling.LANCZOS)
    return ImageOps.contain(image, size, Image.Resampling.LANCZOS)


def _save(image, buffer, output: str, quality: int) -> None:
    if output == "JPEG":
        if image.mode in {"RGBA", "LA"}:
            background = Image.new("RGB", image.size, (255, 255, 255))
            background.paste(image, mask=image.getchannel("A"))
            image = background
        elif image.mode != "RGB" and image.mode != "L":
            image = image.convert("RGB")
        image.save(buffer, "JPEG", quality=quality)
    elif output == "WEBP":
        image.save(buffer, "WEBP", quality=quality)
    elif output == "GIF":
        image.save(buffer, "GIF")
    else:
        image.save(buffer, "PNG", optimize=False)
