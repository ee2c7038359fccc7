"""bcrypt hashes in the format Directus 8 (PHP password_hash) wrote: `$2y$10$...`.

Django's own hashers prefix the algorithm name (`bcrypt$...`), which Directus databases do not
have, so the format is handled here with the bcrypt library directly."""

import functools
import logging
import re

import bcrypt
from django.utils.crypto import get_random_string

from directus.conf import directus_settings

logger = logging.getLogger("directus.auth")

_PHP_PREFIX = b"$2y$"
_PY_PREFIXES = (b"$2b$", b"$2a$")
# bcrypt reads at most 72 bytes; PHP silently ignored the rest, newer bcrypt releases refuse it.
_MAX_BYTES = 72
# The highest bcrypt cost this server spends on a hash it did not choose the cost of (a caller's
# options, a stored hash): each step doubles the work (deviations.md, § Limits).
MAX_COST = 12
# A whole bcrypt hash: variant, two-digit cost, 22 characters of salt and 31 of digest.
_BCRYPT_HASH = re.compile(rb"\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}")


def _secret(raw: str) -> bytes:
    return raw.encode()[:_MAX_BYTES]


def hash_password(raw: str) -> str:
    digest = bcrypt.hashpw(_secret(raw), bcrypt.gensalt(rounds=directus_settings.BCRYPT_ROUNDS))
    return (_PHP_PREFIX + digest[4:]).decode()


def hash_cost(hashed: str) -> int | None:
    """The cost of a bcrypt hash; None when it is not one."""
    match = _BCRYPT_HASH.fullmatch(hashed.encode()) if isinstance(hashed, str) else None
    return int(match.group(1)) if match else None


def check_password(raw: str, hashed: str | None) -> bool:
    """Whether `raw` is the password `hashed` was made from.

    Every call costs one bcrypt check at the configured cost, also when there is nothing to
    check against (an account without a password yet, a value that is no usable hash): a failed
    login takes as long whatever the account it names (deviation 6)."""
    cost = hash_cost(hashed) if hashed else None
    if not raw or cost is None or cost > max(MAX_COST, directus_settings.BCRYPT_ROUNDS):
        if cost is not None and raw:
            logger.warning("Not checking a password against a bcrypt hash of cost %s (above %s)", cost, MAX_COST)
        bcrypt.checkpw(_secret(raw or "-"), _dummy_hash(directus_settings.BCRYPT_ROUNDS))
        return False
    encoded = hashed.encode()
    if encoded.startswith(_PHP_PREFIX):
        encoded = b"$2b$" + encoded[4:]
    try:
        return bcrypt.checkpw(_secret(raw), encoded)
    except ValueError:  # a salt the library refuses
        return False


@functools.cache
def _dummy_hash(rounds: int) -> bytes:
    return bcrypt.hashpw(get_random_string(20).encode(), bcrypt.gensalt(rounds=rounds))


def is_password_hash(value: str | None) -> bool:
    return bool(value) and value.encode().startswith((_PHP_PREFIX, *_PY_PREFIXES))
