"""The ground truth a complete pull must reproduce: every visible row of a stream in API shape.

Tests compare what a pipeline landed with this. Rows carry every field of the stream's GraphQL type
(nested references as `{"id": ...}`, embedded lists such as form answers in full), shaped by the same
projection the GraphQL endpoint uses, so the truth cannot drift from what the API serves.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from graphql import (
    FieldNode,
    GraphQLObjectType,
    GraphQLSchema,
    NameNode,
    OperationDefinitionNode,
    parse,
)

from healthie_sandbox.model import Stream
from healthie_sandbox.projection import Shaper, unwrap
from healthie_sandbox.store import Filter, Order, Store


def selection(type_: GraphQLObjectType) -> str:
    """Every field of `type_` except `cursor`: references as `{ id }`, embedded lists in full."""
    parts = []
    for name, definition in type_.fields.items():
        if name == "cursor":
            continue
        target, is_list = unwrap(definition.type)
        if isinstance(target, GraphQLObjectType):
            parts.append(f"{name} {{ {selection(target) if is_list else 'id'} }}")
        else:
            parts.append(name)
    return " ".join(parts)


@cache
def _field_node(schema: GraphQLSchema, type_name: str) -> FieldNode:
    type_ = schema.type_map[type_name]
    assert isinstance(type_, GraphQLObjectType)
    document = parse(f"{{ truth {{ {selection(type_)} }} }}")
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    node = operation.selection_set.selections[0]
    assert isinstance(node, FieldNode)
    return FieldNode(name=NameNode(value="truth"), selection_set=node.selection_set)


def live_rows(schema: GraphQLSchema, store: Store, stream: Stream) -> list[dict[str, Any]]:
    """Every row of `stream` a complete pull must contain, by id."""
    type_ = schema.type_map[stream.entity.type_name]
    assert isinstance(type_, GraphQLObjectType)
    shaper = Shaper(schema, {}, {}, store)
    plan = shaper.plan(type_, [_field_node(schema, type_.name)])
    return shaper.project_all(store.page(stream.entity, Filter((stream.visible,)), Order("id", "id")), plan)


def deleted_ids(store: Store, stream: Stream) -> list[str]:
    """Ids a complete pull must tombstone: soft-deleted rows of the stream and hard-deleted ids."""
    ids: set[int] = set(store.tombstones(stream.name))
    if stream.entity.soft_delete:
        ids.update(
            store.ids(stream.entity, Filter(("deleted_at IS NOT NULL", stream.entity.listed, stream.scope)))
        )
    return [str(i) for i in sorted(ids)]
