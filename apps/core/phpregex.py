"""Regular expressions written for PHP's preg functions (field `validation` rules, the
`password_policy` setting), as Python patterns."""

import re

_CLOSING = {"(": ")", "[": "]", "{": "}", "<": ">"}
# PCRE's `u` (UTF-8) is how Python's patterns always work.
_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE, "u": 0}


def php_regex(rule: str) -> tuple[str, int]:
    """`/^.{8,}$/i` → ("^.{8,}$", re.IGNORECASE); a rule without delimiters is used as it is."""
    if len(rule) >= 2 and not rule[0].isalnum() and rule[0] not in "\\ ":
        end = rule.rfind(_CLOSING.get(rule[0], rule[0]))
        if end > 0:
            flags = 0
            for letter in rule[end + 1 :]:
                flags |= _FLAGS.get(letter, 0)
            return rule[1:end], flags
    return rule, 0
