"""The GraphQL limits of deviations.md § Limits, checked before anything executes.

* tokens: counted with graphql-core's lexer before the document is parsed (comments excluded),
  so an oversized document costs no parse;
* operations, depth and aliases: graphql-core validation rules, run before the standard rules
  (whose cost grows with the document).

Depth is the number of fields on the longest path of an operation, fragments included:
`{ articles { data { id } } }` is 3. Introspection fields (`__schema`, `__type`, `__typename`)
do not count: their nesting is bounded by the schema, and the standard introspection query of
GraphiQL and code generators is deeper than any data query needs. Aliases are counted as the
operation executes them: an aliased field inside a fragment spread twice counts twice.

The settings (directus/conf.py): GRAPHQL_MAX_DEPTH, GRAPHQL_MAX_ALIASES, GRAPHQL_MAX_TOKENS,
GRAPHQL_MAX_OPERATIONS.
"""

from graphql import GraphQLError
from graphql.language import (
    FieldNode,
    FragmentDefinitionNode,
    InlineFragmentNode,
    Lexer,
    OperationDefinitionNode,
    SelectionSetNode,
    Source,
    TokenKind,
)
from graphql.language.visitor import SKIP
from graphql.validation import ASTValidationRule

from directus.conf import directus_settings

# Directus code of every limit error (InvalidRequest).
LIMIT_CODE = 4


def limit_error(message: str, nodes=None) -> GraphQLError:
    return GraphQLError(message, nodes, extensions={"code": LIMIT_CODE})


def too_many_tokens(query: str) -> GraphQLError | None:
    """An error when the document has more tokens than allowed (syntax errors are left to the
    parser)."""
    limit = directus_settings.GRAPHQL_MAX_TOKENS
    lexer = Lexer(Source(query))
    count = 0
    try:
        while lexer.advance().kind != TokenKind.EOF:
            count += 1
            if count > limit:
                return limit_error(f"The document has more than {limit} tokens, the limit.")
    except GraphQLError:
        return None
    return None


class _Measure:
    """Depth and alias counts of selection sets, each fragment measured once."""

    def __init__(self, fragments: dict[str, FragmentDefinitionNode]):
        self.fragments = fragments
        self.memo: dict[tuple[str, str], int] = {}

    def _fragment(self, kind: str, name: str) -> int:
        key = (kind, name)
        if key not in self.memo:
            self.memo[key] = 0  # a fragment cycle (reported by the standard rules) adds nothing
            fragment = self.fragments.get(name)
            measure = self.depth if kind == "depth" else self.aliases
            self.memo[key] = measure(fragment.selection_set) if fragment is not None else 0
        return self.memo[key]

    def depth(self, selection_set: SelectionSetNode) -> int:
        deepest = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.name.value.startswith("__"):
                    continue
                below = self.depth(selection.selection_set) if selection.selection_set else 0
                deepest = max(deepest, 1 + below)
            elif isinstance(selection, InlineFragmentNode):
                deepest = max(deepest, self.depth(selection.selection_set))
            else:
                deepest = max(deepest, self._fragment("depth", selection.name.value))
        return deepest

    def aliases(self, selection_set: SelectionSetNode) -> int:
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += 1 if selection.alias else 0
                total += self.aliases(selection.selection_set) if selection.selection_set else 0
            elif isinstance(selection, InlineFragmentNode):
                total += self.aliases(selection.selection_set)
            else:
                total += self._fragment("aliases", selection.name.value)
        return total


class LimitsRule(ASTValidationRule):
    """Operations per document, then depth and aliases per operation."""

    def enter_document(self, node, *_args):
        operations = [d for d in node.definitions if isinstance(d, OperationDefinitionNode)]
        most = directus_settings.GRAPHQL_MAX_OPERATIONS
        if len(operations) > most:
            self.report_error(
                limit_error(f"The document has {len(operations)} operations; at most {most} are allowed.")
            )
            return SKIP
        fragments = {d.name.value: d for d in node.definitions if isinstance(d, FragmentDefinitionNode)}
        measure = _Measure(fragments)
        max_depth = directus_settings.GRAPHQL_MAX_DEPTH
        max_aliases = directus_settings.GRAPHQL_MAX_ALIASES
        for operation in operations:
            name = f'Operation "{operation.name.value}"' if operation.name else "The operation"
            depth = measure.depth(operation.selection_set)
            if depth > max_depth:
                self.report_error(
                    limit_error(f"{name} is {depth} fields deep; at most {max_depth} are allowed.", operation)
                )
            aliases = measure.aliases(operation.selection_set)
            if aliases > max_aliases:
                self.report_error(
                    limit_error(f"{name} uses {aliases} aliases; at most {max_aliases} are allowed.", operation)
                )
        return SKIP
