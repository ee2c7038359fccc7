"""Custom endpoints (`/:project/custom/<name>/...`, extensions.md): a small registry of URL
confs. A Django app adds its endpoints from its `AppConfig.ready()`:

    from apps.extensions import registry
    registry.register("reports", "myapp.endpoint_urls")   # a module with `urlpatterns`

or the operator lists them in the setting `DIRECTUS["CUSTOM_ENDPOINTS"] = {"reports": "myapp.endpoint_urls"}`.
`/:project/custom/reports/<rest>` is then resolved against that URL conf. The current project is
selected (`apps.projects.context.current_project()`), and authentication applies as on every
project route (a bad token is refused) with no role required: DRF views (e.g. subclasses of
`apps.core.views.DirectusView`) authenticate themselves, plain Django views are authenticated
before they are called and find the caller in `request.directus_identity`."""

import re
import threading

from django.urls import Resolver404
from django.urls.resolvers import RegexPattern, URLResolver

from directus.conf import directus_settings

NAME = re.compile(r"^[A-Za-z0-9_-]+$")

_lock = threading.Lock()
_registered: dict[str, object] = {}
_resolvers: dict[tuple[str, int], URLResolver] = {}


def register(name: str, urlconf) -> None:
    """`urlconf`: a dotted module path, a module with `urlpatterns`, or a list of patterns."""
    if not NAME.match(name or ""):
        raise ValueError(f"Invalid custom endpoint name {name!r}: use letters, digits, '_' and '-'.")
    with _lock:
        _registered[name] = urlconf
        _resolvers.clear()


def unregister(name: str) -> None:
    with _lock:
        _registered.pop(name, None)
        _resolvers.clear()


def endpoints() -> dict[str, object]:
    configured = dict(directus_settings.CUSTOM_ENDPOINTS or {})
    with _lock:
        return {**configured, **_registered}


def resolve(name: str, rest: str):
    """The ResolverMatch for `rest` (the path below /custom/<name>/), or None."""
    urlconf = endpoints().get(name)
    if urlconf is None:
        return None
    key = (name, id(urlconf))
    with _lock:
        resolver = _resolvers.get(key)
        if resolver is None:
            resolver = URLResolver(RegexPattern(r"^"), urlconf)
            _resolvers[key] = resolver
    try:
        return resolver.resolve(rest)
    except Resolver404:
        return None
