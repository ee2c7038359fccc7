"""CORS with credentials for listed origins only (deviation 23).

django-cors-headers allows credentials for every allowed origin or for none; with `*` and
credentials it reflects any Origin and adds `Access-Control-Allow-Credentials: true`, so any web
page could make a signed-in browser send its session cookie and read the answer. Here any allowed
origin (by default every one) reads answers with `Access-Control-Allow-Origin: *` — bearer tokens
still work, they are headers, not credentials — and only the origins of
`DIRECTUS["CORS_CREDENTIALS_ORIGINS"]` get their Origin echoed with credentials allowed."""

from urllib.parse import urlsplit

from corsheaders.middleware import ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_ORIGIN
from corsheaders.middleware import CorsMiddleware as BaseCorsMiddleware

from directus.conf import directus_settings


def _scheme_and_host(origin: str) -> tuple[str, str]:
    url = urlsplit(origin)
    return url.scheme.lower(), url.netloc.lower()


def allows_credentials(origin: str) -> bool:
    try:
        wanted = _scheme_and_host(origin)
        return any(_scheme_and_host(listed) == wanted for listed in directus_settings.CORS_CREDENTIALS_ORIGINS)
    except ValueError:  # not a URL
        return False


class CorsMiddleware(BaseCorsMiddleware):
    """Expects `CORS_ALLOW_CREDENTIALS = False`; adds credentials for the listed origins."""

    def origin_found_in_white_lists(self, origin, url) -> bool:
        return super().origin_found_in_white_lists(origin, url) or allows_credentials(origin)

    def add_response_headers(self, request, response):
        response = super().add_response_headers(request, response)
        origin = request.headers.get("origin")
        if origin and ACCESS_CONTROL_ALLOW_ORIGIN in response and allows_credentials(origin):
            # With credentials the browser accepts only the exact origin, never `*`.
            response[ACCESS_CONTROL_ALLOW_ORIGIN] = origin
            response[ACCESS_CONTROL_ALLOW_CREDENTIALS] = "true"
        return response
