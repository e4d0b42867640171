"""The sandbox's GraphQL schema: the SDL subset in `schema.graphql`, with Healthie's scalar rules.

Healthie (graphql-ruby) rejects an `ISO8601DateTime` that is not an ISO 8601 instant while coercing
variables, before anything runs; the SDL alone would let any value through, so the scalar gets a
real parser here. `Cursor` stays an opaque string: a malformed one is refused by the list resolver,
as Healthie does, with a GraphQL error on the field.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from graphql import GraphQLError, GraphQLScalarType, GraphQLSchema, StringValueNode, build_schema
from graphql.language import ValueNode

from healthie_sandbox.timestamps import parse_instant

SDL_FILE = "schema.graphql"


def sdl() -> str:
    return resources.files("healthie_sandbox").joinpath(SDL_FILE).read_text(encoding="utf-8")


def _parse_instant_value(value: Any) -> str:
    if not isinstance(value, str):
        raise GraphQLError(f"ISO8601DateTime must be a string, got {type(value).__name__}")
    try:
        parse_instant(value)
    except ValueError:
        raise GraphQLError(f"{value!r} is not a valid ISO8601DateTime") from None
    return value


def _parse_instant_literal(node: ValueNode, _variables: Any = None) -> str:
    if not isinstance(node, StringValueNode):
        raise GraphQLError("ISO8601DateTime must be a string")
    return _parse_instant_value(node.value)


@cache
def schema() -> GraphQLSchema:
    """The parsed schema (built once per process)."""
    built = build_schema(sdl())
    instant = built.type_map["ISO8601DateTime"]
    assert isinstance(instant, GraphQLScalarType)
    instant.parse_value = _parse_instant_value  # type: ignore[method-assign]
    instant.parse_literal = _parse_instant_literal  # type: ignore[method-assign,assignment]
    return built
