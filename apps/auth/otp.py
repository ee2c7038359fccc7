"""Time-based one-time passwords (2FA), compatible with the secrets Directus 8 made."""

import pyotp


class TOTP(pyotp.TOTP):
    """Directus 8 (Google2FA) made 16-character base32 secrets: 80 bits, below pyotp's default
    minimum of 112; the app still sends those."""

    min_secret_length_bits = 80
