from rest_framework.renderers import JSONRenderer


class DirectusJSONRenderer(JSONRenderer):
    """Plain JSON with unescaped unicode, as Directus 8 sends it."""

    ensure_ascii = False
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return super().render(data, accepted_media_type, renderer_context)
