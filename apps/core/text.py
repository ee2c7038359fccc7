"""Text the databases cannot hold.

PostgreSQL refuses a NUL character in any text value, stored or compared, so no stored text
holds one and every engine answers alike: a written NUL is refused (`422` code `4`), a NUL in a
filter or a key matches nothing, and such a value is never sent in a statement."""

NUL = "\x00"


def has_nul(value) -> bool:
    """Whether a value (strings nested in arrays and objects too) holds a NUL. A loop, not
    recursion: a JSON value may be nested as deeply as the parser allowed."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, list | tuple):
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
    return False


def usable_secret(value) -> bool:
    """Whether a value given as a secret (a token, an asset key) can name one: a non-empty
    string without NUL."""
    return isinstance(value, str) and value != "" and NUL not in value
