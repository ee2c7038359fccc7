"""Hashing, random strings and 2FA secrets (utils.md)."""

import hashlib
import hmac
import secrets
import string

import bcrypt
import pyotp

from apps.core import errors
from apps.core.passwords import MAX_COST, check_password, hash_cost, hash_password

HEX_HASHERS = ("md5", "sha1", "sha224", "sha256", "sha384", "sha512")
HASHERS = ("core", "bcrypt", *HEX_HASHERS)
# bcrypt costs a caller may ask for: each step doubles the work, and these routes are open to the
# public role (deviations.md § Limits: at most 12, a quarter of a second or so).
BCRYPT_COST_MIN, BCRYPT_COST_MAX = 4, MAX_COST
RANDOM_CHARACTERS = string.digits + string.ascii_lowercase + string.ascii_uppercase + "!@#$%^&*()_+}{;?>.<,"
RANDOM_MAX_LENGTH = 4096
BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
TWO_FACTOR_SECRET_LENGTH = 16


def hasher_name(value) -> str:
    name = "core" if value in (None, "") else value
    if not isinstance(name, str) or name.lower() not in HASHERS:
        raise errors.HasherNotFound(f"Hasher not found: {value}")
    return name.lower()


def _bcrypt_cost(options) -> int:
    cost = (options or {}).get("cost", 10) if isinstance(options, dict) else 10
    if isinstance(cost, str) and cost.strip().isdigit():
        cost = int(cost)
    if isinstance(cost, bool) or not isinstance(cost, int) or not BCRYPT_COST_MIN <= cost <= BCRYPT_COST_MAX:
        raise errors.InvalidRequest(f"options: cost must be a number from {BCRYPT_COST_MIN} to {BCRYPT_COST_MAX}")
    return cost


def make_hash(value: str, hasher: str, options=None) -> str:
    if hasher == "core":
        return hash_password(value)
    if hasher == "bcrypt":
        digest = bcrypt.hashpw(value.encode()[:72], bcrypt.gensalt(rounds=_bcrypt_cost(options)))
        return ("$2y$" + digest[4:].decode()) if digest.startswith(b"$2b$") else digest.decode()
    return hashlib.new(hasher, value.encode()).hexdigest()


def hash_matches(value: str, hashed: str, hasher: str) -> bool:
    if hasher in ("core", "bcrypt"):
        cost = hash_cost(hashed)
        if cost is not None and cost > BCRYPT_COST_MAX:
            raise errors.InvalidRequest(f"hash: a bcrypt cost above {BCRYPT_COST_MAX} is not checked")
        return check_password(value, hashed)
    return hmac.compare_digest(hashlib.new(hasher, value.encode()).hexdigest().encode(), hashed.encode())


def random_string(length: int) -> str:
    return "".join(secrets.choice(RANDOM_CHARACTERS) for _ in range(length))


class DirectusTOTP(pyotp.TOTP):
    """Directus 8's secrets are 16 base32 characters (80 bits), below pyotp's default minimum."""

    min_secret_length_bits = 80


def two_factor_secret() -> str:
    """A 16-character base32 TOTP secret (30 s step, 6 digits, SHA1: Google Authenticator)."""
    secret = "".join(secrets.choice(BASE32_ALPHABET) for _ in range(TWO_FACTOR_SECRET_LENGTH))
    DirectusTOTP(secret).now()  # a secret the OTP checks accept
    return secret
