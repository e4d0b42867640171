"""Query cost, refused above a maximum the way Healthie refuses it.

Healthie rejects a request whose complexity exceeds 2000 with the GraphQL error
`Query has complexity of N, which exceeds max complexity of 2000`, and page size multiplies the cost.
The model here: a list field costs (rows it may return) x (1 + object/list fields nested in its
selection); a single-object field costs 1 + its nested object fields; a scalar root field (a count)
costs 1. "Rows it may return" is the clamped page size, or the cap for an unpaginated list.
So the product's documents pass at their page-size caps (appointments 500 x 3 = 1500, entries
500 x 2, forms 100 x 6) while a client asking for too much, or a test lowering the maximum, gets the
error before anything is read.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
)
from graphql.execution.collect_fields import collect_fields, collect_sub_fields
from graphql.execution.values import get_argument_values

from healthie_sandbox.projection import unwrap
from healthie_sandbox.resolvers import LIST_BY_FIELD


def message(cost: int, maximum: int) -> str:
    return f"Query has complexity of {cost}, which exceeds max complexity of {maximum}"


class Cost:
    """Computes the cost of one operation (variables already coerced)."""

    def __init__(
        self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode], variables: dict[str, Any]
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def operation(self, operation: OperationDefinitionNode) -> int:
        root = self.schema.query_type
        assert root is not None
        fields = collect_fields(self.schema, self.fragments, self.variables, root, operation.selection_set)
        total = 0
        for nodes in fields.values():
            name = nodes[0].name.value
            if name.startswith("__"):
                continue
            field_def = root.fields[name]
            target, _ = unwrap(field_def.type)
            if not isinstance(target, GraphQLObjectType):
                total += 1
                continue
            per_row = 1 + self._nested(target, nodes)
            query = LIST_BY_FIELD.get(name)
            if query is None:
                total += per_row
                continue
            args = get_argument_values(field_def, nodes[0], self.variables)
            rows = query.page_size(args) if query.paginated(args) else query.page_cap
            total += rows * per_row
        return total

    def _nested(self, parent: GraphQLObjectType, nodes: list[FieldNode]) -> int:
        count = 0
        for group in collect_sub_fields(self.schema, self.fragments, self.variables, parent, nodes).values():
            name = group[0].name.value
            if name.startswith("__"):
                continue
            target, _ = unwrap(parent.fields[name].type)
            if isinstance(target, GraphQLObjectType):
                count += 1 + self._nested(target, group)
        return count
