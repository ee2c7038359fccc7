"""Request body parsers."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

from . import errors
from .text import has_nul


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with two refusals every route shares:

    * a body nested deeper than the decoder can follow (thousands of `[`): `400` code `13`;
    * a NUL character in any string: `422` code `4`. No database text holds one (PostgreSQL
      cannot), so it is refused before any service sees it, on every engine alike."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply") from None
        if has_nul(data):
            raise errors.InvalidRequest("Values must not contain NUL characters")
        return data
