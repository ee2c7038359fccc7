"""The `filter` parameter as a tree of conditions (query.md § filter). Plain parsing: no schema, no SQL.

    parse_filter({"title": {"contains": "x"}, "author.name": {"logical": "or", "eq": "Ann"}})
    -> Group("or", (Condition(("title",), contains, "x"), Condition(("author", "name"), eq, "Ann")))

* The operators are data (`OPERATORS`): every name and alias of query.md maps to one `Operator`
  saying which positive operator it is (`base`), whether it is negated, and what kind of value
  it takes. An unknown name is `422` code `214`.
* `filter[field]=v` is `eq`. A condition object uses its first key other than `logical` (as PHP
  does); an indexed list (`filter[f][0][..]`, `filter[f][1][..]`) gives several conditions on
  one field.
* Conditions are chained left to right in the order given: `[logical]=or` ORs a condition with
  everything before it, anything else ANDs it: `a, b, or c, d` is `((a AND b) OR c) AND d`.
  `Group` nodes may nest freely (GraphQL builds them with `and_` / `or_`).
* Values are normalised but not typed: one string for scalar and pattern operators, a tuple of
  strings for `in`/`nin`/`all`, a `(first, last)` pair for `between`, an int for `has`, None for
  operators that take no value. Casting to the field's type happens when compiling
  (apps.schema.compiler), where the schema is known.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from apps.core import errors
from directus.conf import directus_settings

# What an operator's value is.
SCALAR = "scalar"  # one value compared with the field
LIST = "list"  # CSV string or array
PAIR = "pair"  # CSV string or array; first and last used
PATTERN = "pattern"  # a string searched for (like family)
COUNT = "count"  # an integer
NONE = "none"  # value ignored


@dataclass(frozen=True)
class Operator:
    name: str  # canonical name (`neq`, not `!=`)
    base: str  # the positive operator (`eq` for `neq`)
    negated: bool
    value: str  # SCALAR, LIST, PAIR, PATTERN, COUNT or NONE
    to_many_only: bool = False  # `has`, `nhas`, `all`: O2M (and M2M) fields only

    @property
    def like_family(self) -> bool:
        return self.value == PATTERN


def _operators() -> dict[str, Operator]:
    canonical = [
        Operator("eq", "eq", False, SCALAR),
        Operator("neq", "eq", True, SCALAR),
        Operator("lt", "lt", False, SCALAR),
        Operator("lte", "lte", False, SCALAR),
        Operator("gt", "gt", False, SCALAR),
        Operator("gte", "gte", False, SCALAR),
        Operator("in", "in", False, LIST),
        Operator("nin", "in", True, LIST),
        Operator("null", "null", False, NONE),
        Operator("nnull", "null", True, NONE),
        Operator("contains", "contains", False, PATTERN),
        Operator("ncontains", "contains", True, PATTERN),
        Operator("rlike", "rlike", False, PATTERN),
        Operator("nrlike", "rlike", True, PATTERN),
        Operator("between", "between", False, PAIR),
        Operator("nbetween", "between", True, PAIR),
        Operator("empty", "empty", False, NONE),
        Operator("nempty", "empty", True, NONE),
        Operator("has", "has", False, COUNT, to_many_only=True),
        Operator("nhas", "has", True, COUNT, to_many_only=True),
        Operator("all", "all", False, LIST, to_many_only=True),
    ]
    table = {op.name: op for op in canonical}
    aliases = {
        "=": "eq",
        "!=": "neq",
        "<>": "neq",
        "<": "lt",
        "<=": "lte",
        ">": "gt",
        ">=": "gte",
        "like": "contains",
        "nlike": "ncontains",
    }
    table.update({alias: table[name] for alias, name in aliases.items()})
    return table


# Every accepted operator name (aliases included) -> its Operator.
OPERATORS: dict[str, Operator] = _operators()


@dataclass(frozen=True)
class Condition:
    path: tuple[str, ...]  # ("author", "name") for `author.name`
    operator: Operator
    value: str | tuple[str, ...] | int | None
    given: str = ""  # the operator as written, for messages

    @property
    def field(self) -> str:
        return ".".join(self.path)

    @property
    def ignored(self) -> bool:
        """A like-family condition with an empty, non-numeric value adds no condition (PHP
        `shouldIgnoreQueryFilter`); the field is still checked. `rlike`/`nrlike` are not ignored:
        their empty pattern is meaningful (matches empty strings)."""
        return self.operator.base == "contains" and self.value == ""


@dataclass(frozen=True)
class Group:
    logical: str  # "and" | "or"
    children: tuple["Node", ...]


Node = Condition | Group


# Building ------------------------------------------------------------------------------------


def _combine(logical: str, nodes: Iterable["Node | None"]) -> "Node | None":
    flat: list[Node] = []
    for node in nodes:
        if node is None:
            continue
        if isinstance(node, Group) and (node.logical == logical or len(node.children) == 1):
            flat.extend(node.children)
        else:
            flat.append(node)
    if not flat:
        return None
    if len(flat) == 1:
        return flat[0]
    return Group(logical, tuple(flat))


def and_(*nodes: "Node | None") -> "Node | None":
    return _combine("and", nodes)


def or_(*nodes: "Node | None") -> "Node | None":
    return _combine("or", nodes)


def chain(conditions: Iterable[tuple[str | None, "Node"]]) -> "Node | None":
    """Left-to-right chaining of (logical, node) pairs: `or` ORs a node with everything before
    it, anything else ANDs it. The first node's logical has nothing to combine with."""
    result: Node | None = None
    for logical, node in conditions:
        if result is None:
            result = node
        elif (logical or "").strip().lower() == "or":
            result = or_(result, node)
        else:
            result = and_(result, node)
    return result


def make_condition(
    field: str,
    operator: str,
    value=None,
    *,
    max_in_values: int | None = None,
    max_depth: int | None = None,
) -> Condition:
    """One condition, its operator checked (`214`) and value normalised (`4` when malformed)."""
    op = OPERATORS.get(operator) if isinstance(operator, str) else None
    if op is None:
        raise errors.UnknownFilter(f"Unknown filter: {operator}")
    path = tuple(str(field).split("."))
    max_depth = directus_settings.MAX_RELATIONAL_DEPTH if max_depth is None else max_depth
    if len(path) - 1 > max_depth:
        raise errors.InvalidRequest(
            f"filter[{field}]: relational depth {len(path) - 1} is more than the limit of {max_depth}"
        )
    where = f"filter[{field}][{operator}]"
    if op.value == NONE:
        normalised = None
    elif op.value in (SCALAR, PATTERN):
        normalised = _scalar(value, where)
    elif op.value == COUNT:
        normalised = _count(value, where)
    else:
        values = _list(value, where)
        limit = directus_settings.MAX_IN_VALUES if max_in_values is None else max_in_values
        if len(values) > limit:
            raise errors.InvalidRequest(f"{where}: {len(values)} values is more than the limit of {limit}")
        if op.value == PAIR:
            if len(values) < 2:
                raise errors.InvalidRequest(f"{where}: two values are required (a,b)")
            values = (values[0], values[-1])
        normalised = values
    return Condition(path, op, normalised, operator)


def _scalar(value, where: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, str | int | float | Decimal):
        return str(value)
    raise errors.InvalidRequest(f"{where}: expected a single value")


def _count(value, where: str) -> int:
    text = _scalar(value, where).strip()
    if text == "":
        return 1  # `filter[comments][has]` alone: at least one related row
    try:
        return int(text)
    except ValueError:
        raise errors.InvalidRequest(f"{where}: This value should be of type integer.") from None


def _list(value, where: str) -> tuple[str, ...]:
    if isinstance(value, Mapping):
        value = [value[key] for key in _ordered_keys(value)]
    if isinstance(value, list | tuple):
        items = value
    else:
        text = _scalar(value, where)
        items = text.split(",") if text.strip() else []
    out = []
    for item in items:
        if isinstance(item, list | tuple | Mapping):
            raise errors.InvalidRequest(f"{where}: expected a list of values")
        out.append(_scalar(item, where).strip())
    return tuple(out)


def _ordered_keys(value: Mapping) -> list:
    keys = list(value)
    if all(isinstance(key, int) or (isinstance(key, str) and key.isdigit()) for key in keys):
        return sorted(keys, key=int)
    return keys


# The query-string form -----------------------------------------------------------------------


def parse_filter(value, *, max_in_values: int | None = None, max_depth: int | None = None) -> "Node | None":
    """The `filter` parameter (as apps.core.querystring parses it) as a tree; None when absent."""
    if value is None or value == "" or value == [] or value == {}:
        return None
    if isinstance(value, list):
        value = {str(index): item for index, item in enumerate(value)}
    if not isinstance(value, Mapping):
        raise errors.InvalidRequest("filter: must be an object, e.g. filter[field][eq]=value")
    conditions: list[tuple[str | None, Node]] = []
    for field, spec in value.items():
        for item in _conditions_of(spec):
            logical, operator, operand = _split(item)
            condition = make_condition(str(field), operator, operand, max_in_values=max_in_values, max_depth=max_depth)
            conditions.append((logical, condition))
    return chain(conditions)


def _conditions_of(spec) -> list:
    """A field's conditions: one value/object, or an indexed list of them."""
    if isinstance(spec, list):
        return spec
    if isinstance(spec, Mapping) and spec and all(isinstance(k, str) and k.isdigit() for k in spec):
        return [spec[key] for key in _ordered_keys(spec)]
    return [spec]


def _split(item) -> tuple[str | None, str, object]:
    """(logical, operator, value) of one condition: a bare value is `eq`."""
    if not isinstance(item, Mapping):
        return None, "eq", item
    logical = item.get("logical")
    if logical is not None and not isinstance(logical, str):
        raise errors.InvalidRequest("filter: logical must be `and` or `or`")
    keys = [key for key in item if key != "logical"]
    if not keys:
        raise errors.UnknownFilter("Unknown filter: ")
    return logical, keys[0], item[keys[0]]


def walk(node: "Node | None") -> Iterable[Condition]:
    """Every condition of a tree, in order."""
    if node is None:
        return
    if isinstance(node, Condition):
        yield node
        return
    for child in node.children:
        yield from walk(child)
