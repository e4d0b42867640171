"""The sandbox's schema is a faithful subset of Healthie's, and the product's documents fit it."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    build_schema,
    parse,
    validate,
)
from sandbox_gql import QUERIES

from healthie_sandbox.schema import schema

REPO = Path(__file__).resolve().parents[2]
REAL_SCHEMA = REPO / ".." / "shared" / "healthie" / "schema.graphql"


@pytest.fixture(scope="module")
def real() -> GraphQLSchema:
    if not REAL_SCHEMA.is_file():
        pytest.skip(f"Healthie's published schema is not at {REAL_SCHEMA} (reference material, not shipped)")
    return build_schema(REAL_SCHEMA.read_text(encoding="utf-8"))


def _sandbox_types() -> list[str]:
    return sorted(name for name in schema().type_map if not name.startswith("__"))


@pytest.mark.parametrize("name", _sandbox_types())
def test_every_type_agrees_with_healthie(name: str, real: GraphQLSchema) -> None:
    ours = schema().type_map[name]
    theirs = real.type_map.get(name)
    assert theirs is not None, f"{name} is not a Healthie type"
    assert type(ours) is type(theirs)
    if isinstance(ours, GraphQLEnumType):
        assert isinstance(theirs, GraphQLEnumType)
        assert set(ours.values) == set(theirs.values)
    elif isinstance(ours, GraphQLObjectType | GraphQLInputObjectType):
        assert isinstance(theirs, GraphQLObjectType | GraphQLInputObjectType)
        for field_name, field in ours.fields.items():
            assert field_name in theirs.fields, f"{name}.{field_name} is not in Healthie's schema"
            real_field = theirs.fields[field_name]
            assert str(field.type) == str(real_field.type), f"{name}.{field_name}"
            if isinstance(ours, GraphQLObjectType):
                for arg_name, arg in field.args.items():
                    real_arg = real_field.args.get(arg_name)
                    assert real_arg is not None, (
                        f"{name}.{field_name}({arg_name}) is not in Healthie's schema"
                    )
                    assert str(arg.type) == str(real_arg.type), f"{name}.{field_name}({arg_name})"
                    assert arg.default_value == real_arg.default_value, (
                        f"default of {name}.{field_name}({arg_name})"
                    )
    else:
        assert isinstance(ours, GraphQLScalarType)


def test_the_subset_covers_the_required_root_fields() -> None:
    query = schema().query_type
    assert query is not None
    required = set(
        [
            "appointments",
            "appointmentsCount",
            "appointment",
            "billingItems",
            "billingItemsCount",
            "billingItem",
            "entries",
            "entriesCount",
            "entry",
            "formAnswerGroups",
            "formAnswerGroupsCount",
            "formAnswerGroup",
            "users",
            "usersCount",
            "user",
            "organizationMembers",
            "organizationMembersCount",
            "appointmentTypes",
        ]
    )
    assert required <= set(query.fields)


def test_the_subset_is_hand_cut_not_a_copy(real: GraphQLSchema) -> None:
    assert len(schema().type_map) < len(real.type_map) / 10


@pytest.mark.parametrize("path", sorted(QUERIES.glob("*.graphql")), ids=lambda p: p.name)
def test_product_documents_validate_against_the_sandbox(path: Path) -> None:
    errors = validate(schema(), parse(path.read_text(encoding="utf-8")))
    assert not errors, [e.message for e in errors]
