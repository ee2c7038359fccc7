"""bcrypt hashes in the format Directus 8 (PHP password_hash) wrote: `$2y$10$...`.

Django's own hashers prefix the algorithm name (`bcrypt$...`), which Directus databases do not
have, so the format is handled here with the bcrypt library directly."""

import bcrypt

from directus.conf import directus_settings

_PHP_PREFIX = b"$2y$"
_PY_PREFIXES = (b"$2b$", b"$2a$")
# bcrypt reads at most 72 bytes; PHP silently ignored the rest, newer bcrypt releases refuse it.
_MAX_BYTES = 72


def _secret(raw: str) -> bytes:
    return raw.encode()[:_MAX_BYTES]


def hash_password(raw: str) -> str:
    digest = bcrypt.hashpw(_secret(raw), bcrypt.gensalt(rounds=directus_settings.BCRYPT_ROUNDS))
    return (_PHP_PREFIX + digest[4:]).decode()


def check_password(raw: str, hashed: str | None) -> bool:
    if not raw or not hashed:
        return False
    encoded = hashed.encode()
    if encoded.startswith(_PHP_PREFIX):
        encoded = b"$2b$" + encoded[4:]
    elif not encoded.startswith(_PY_PREFIXES):
        return False
    try:
        return bcrypt.checkpw(_secret(raw), encoded)
    except ValueError:
        return False


def is_password_hash(value: str | None) -> bool:
    return bool(value) and value.encode().startswith((_PHP_PREFIX, *_PY_PREFIXES))
