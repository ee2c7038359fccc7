"""The `fields` query parameter as a tree (query.md § fields). Plain parsing: no schema, no SQL.

    parse_fields("*,author.name,-body")
    parse_fields(["id", "comments.*"])

One level of the tree says which names to return there and, for relational names, what to
return inside them:

* `*` selects every non-alias field of the level (`wildcard`); `*.<rest>` also says what to
  select inside *every* relational field of the level (`wildcard_children`), so `*.*` expands
  all relations one level, `*.*.*` two levels.
* `name` selects a field; `name.<rest>` selects inside it (`named[name]` is the subtree, or
  None for a plain name). An explicit subtree replaces the wildcard's expansion for that name.
* `-name` removes a name after wildcard expansion (also nested: `author.-email`).

A level holding only exclusions means "everything but these" (`-body` == `*,-body`). A bare `-`
selects nothing but the primary key: the v8 app counts rows with `fields=-&limit=0&meta=total_count`.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass
class FieldsTree:
    wildcard: bool = False
    wildcard_children: "FieldsTree | None" = None
    named: dict[str, "FieldsTree | None"] = field(default_factory=dict)
    excluded: set[str] = field(default_factory=set)
    # A bare `-`: the level asks for no field, so it returns its key alone.
    key_only: bool = False

    # -- building -------------------------------------------------------------------------

    def add_path(self, segments: Sequence[str]) -> None:
        head, rest = segments[0], segments[1:]
        if head == "*":
            self.wildcard = True
            if rest:
                if self.wildcard_children is None:
                    self.wildcard_children = FieldsTree()
                self.wildcard_children.add_path(rest)
        elif head == "-":
            self.key_only = True
        elif head.startswith("-"):
            self.excluded.add(head[1:])
        elif rest:
            child = self.named.get(head)
            if child is None:
                child = self.named[head] = FieldsTree()
            child.add_path(rest)
        else:
            self.named.setdefault(head, None)

    def _normalise(self) -> "FieldsTree":
        if not self.wildcard and not self.named and self.excluded:
            self.wildcard = True
        for child in (self.wildcard_children, *self.named.values()):
            if child is not None:
                child._normalise()
        return self

    # -- reading --------------------------------------------------------------------------

    def select(self, wildcard_names: Iterable[str], key: str | None = None) -> list[str]:
        """The names this level returns, in order: the wildcard's names (the level's non-alias
        fields, given by the caller) then the other explicitly named ones, minus exclusions;
        after a bare `-`, `key` (the primary key's name) comes first."""
        names = list(dict.fromkeys(wildcard_names)) if self.wildcard else []
        if self.key_only and key is not None and key not in names:
            names.insert(0, key)
        seen = set(names)
        names += [name for name in self.named if name not in seen]
        return [name for name in names if name not in self.excluded]

    def child(self, name: str) -> "FieldsTree | None":
        """What to select inside the relational field `name`; None when it is not expanded."""
        explicit = self.named.get(name)
        if explicit is not None:
            return explicit
        return self.wildcard_children

    @property
    def explicit_names(self) -> list[str]:
        """Names requested by name at this level (to check they exist)."""
        return list(self.named)

    def depth(self) -> int:
        """Relations crossed by the deepest path (each `.*` or relational dot step is one)."""
        children = [c for c in (self.wildcard_children, *self.named.values()) if c is not None]
        return max((1 + c.depth() for c in children), default=0)

    def paths(self) -> list[str]:
        """The tree written back as `fields` entries (canonical order), e.g. for links/logs."""
        out = []
        if self.wildcard:
            out.append("*")
            if self.wildcard_children is not None:
                out += [f"*.{p}" for p in self.wildcard_children.paths()]
        for name, child in self.named.items():
            out += [f"{name}.{p}" for p in child.paths()] if child is not None else [name]
        out += [f"-{name}" for name in sorted(self.excluded)]
        if self.key_only:
            out.append("-")
        return out


def split_entries(value) -> list[str]:
    """The raw parameter (CSV string, list of strings, or absent) as trimmed non-empty entries."""
    if value is None:
        return []
    if isinstance(value, dict):
        value = list(value.values())
    items = value if isinstance(value, list | tuple) else [value]
    entries = []
    for item in items:
        if isinstance(item, list | tuple | dict):
            entries += split_entries(item)
            continue
        entries += [part.strip() for part in str(item).split(",") if part.strip()]
    return entries


def parse_fields(value, *, default: str = "*") -> FieldsTree:
    """Parse the `fields` parameter; absent or empty means `default` (`*`)."""
    tree = _build(split_entries(value))
    if not (tree.wildcard or tree.named or tree.excluded or tree.key_only):
        tree = _build(split_entries(default))
    return tree._normalise()


def _build(entries: list[str]) -> FieldsTree:
    tree = FieldsTree()
    for entry in entries:
        segments = [segment.strip() for segment in entry.split(".") if segment.strip()]
        if segments:
            tree.add_path(segments)
    return tree
