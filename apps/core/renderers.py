import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

# Datetimes, dates and times go through DRF's encoder (orjson would write its own format).
_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
# Escaped as DRF does: JSON allows them raw, JavaScript source does not.
_LINE_SEPARATORS = ((b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029"))


class DirectusJSONRenderer(JSONRenderer):
    """Compact JSON with unescaped unicode, as Directus 8 sends it.

    Written by orjson: a tenth of the time of the json module for a page of 100 items, the
    largest share of a list request after the SQL. What orjson does not write itself (lazy
    strings, Decimals, datetimes, sets) goes through DRF's encoder, so it comes out as with
    DRF's own renderer, which still writes what orjson refuses (integers beyond 64 bits)."""

    ensure_ascii = False
    charset = "utf-8"
    _default = staticmethod(JSONEncoder().default)

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type or "", renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            body = orjson.dumps(data, default=self._default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        for raw, escaped in _LINE_SEPARATORS:
            if raw in body:
                body = body.replace(raw, escaped)
        return body
