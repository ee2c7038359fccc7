"""Who may read the schema endpoints, until the permission engine serves them.

Default permission rows give every role read access to directus_collections, directus_fields and
directus_relations, and the public role nothing; writes are admin-only."""

from apps.core import errors


def require_reader(identity) -> None:
    if identity is None or identity.is_public:
        raise errors.Unauthorized()
