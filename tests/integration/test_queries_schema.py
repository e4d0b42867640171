"""Every GraphQL document the pipeline sends validates against Healthie's published schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import GraphQLSchema, OperationDefinitionNode, build_schema, parse, validate

from pipelines.healthie.streams import STREAMS, StreamSpec

REAL_SCHEMA = Path(__file__).resolve().parents[2].parent / "shared" / "healthie" / "schema.graphql"


@pytest.fixture(scope="module")
def healthie_schema() -> GraphQLSchema:
    if not REAL_SCHEMA.is_file():
        pytest.skip(f"Healthie's schema is not available at {REAL_SCHEMA} (reference material, not shipped)")
    return build_schema(REAL_SCHEMA.read_text(encoding="utf-8"))


@pytest.mark.parametrize("spec", STREAMS, ids=lambda s: s.name)
def test_document_validates(spec: StreamSpec, healthie_schema: GraphQLSchema) -> None:
    errors = validate(healthie_schema, parse(spec.query_text))
    assert not errors, [e.message for e in errors]


@pytest.mark.parametrize("spec", STREAMS, ids=lambda s: s.name)
def test_document_defines_the_spec_operations(spec: StreamSpec) -> None:
    document = parse(spec.query_text)
    names = {d.name.value for d in document.definitions if isinstance(d, OperationDefinitionNode) and d.name}
    expected = {spec.list_operation, spec.count_operation, spec.by_id_operation} - {None}
    assert expected <= names


QUERIES_DIR = Path(__file__).resolve().parents[2] / "pipelines" / "healthie" / "queries"


@pytest.mark.parametrize("path", sorted(QUERIES_DIR.glob("*.graphql")), ids=lambda p: p.name)
def test_every_query_file_validates(path: Path, healthie_schema: GraphQLSchema) -> None:
    """Documents outside the stream specs too (`sent_webhooks.graphql`, read by the webhook recovery)."""
    errors = validate(healthie_schema, parse(path.read_text(encoding="utf-8")))
    assert not errors, [e.message for e in errors]
