from rest_framework.negotiation import BaseContentNegotiation


class IgnoreAcceptNegotiation(BaseContentNegotiation):
    """The API always answers JSON, whatever the Accept header asks (as Directus 8 did)."""

    def select_parser(self, request, parsers):
        for parser in parsers:
            if parser.media_type == "application/json" and not request.content_type:
                return parser
            if request.content_type and request.content_type.split(";")[0].strip() == parser.media_type:
                return parser
        return None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type
