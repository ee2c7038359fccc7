"""Exact comparison of secrets (asset keys, static tokens, session and reset tokens).

MySQL and MariaDB compare text through the column's collation, and Directus 8 made its tables
`utf8mb4_unicode_ci`: case-insensitive and blind to trailing spaces and NULs, so `ABC`, `abc `
and `abc\\0` would all find the key `abc`. `exactly` compares the bytes as well, without
changing the column (an adopted Directus 8 database keeps its tables); the collation's
comparison stays in front of it so the column's index still finds the candidates."""

from django.db.models import CharField, Lookup, Q, TextField

from .text import usable_secret


class Exactly(Lookup):
    lookup_name = "exactly"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = {rhs}", (*lhs_params, *rhs_params)

    def as_mysql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        params = (*lhs_params, *rhs_params)
        return f"({lhs} = {rhs} AND CAST({lhs} AS BINARY) = CAST({rhs} AS BINARY))", params * 2


CharField.register_lookup(Exactly)
TextField.register_lookup(Exactly)


def exactly(field: str, value) -> Q:
    """The condition `field` holds exactly `value`; one that matches nothing for a value that
    cannot name a secret (no statement is sent for it)."""
    if not usable_secret(value):
        return Q(pk__in=[])
    return Q(**{f"{field}__exactly": value})
