"""One GraphQL request, start to finish: parse, validate, coerce, cost, resolve, shape.

graphql-core does the parts where correctness is subtle and the cost is per request, not per row:
parsing and validation (cached by query text, so a pager's repeated document is parsed once),
operation selection, variable and argument coercion with the schema's defaults. Resolution and
shaping are the sandbox's own (`resolvers`, `projection`), because graphql-core's executor is too slow
for 500-row pages. Introspection queries go to graphql-core whole (no resolvers needed).

Errors follow the GraphQL-over-HTTP conventions Healthie uses: a body that is not a JSON request is
HTTP 400; a document that does not parse or validate, or variables that do not coerce, get HTTP 200
with `errors` and no `data`; a failing field is null in `data` with its error in `errors`.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    execute_sync,
    parse,
    validate,
)
from graphql.execution.collect_fields import collect_fields
from graphql.execution.values import get_argument_values, get_variable_values
from graphql.utilities import get_operation_ast

from healthie_sandbox import complexity
from healthie_sandbox.projection import Shaper, object_type
from healthie_sandbox.resolvers import BY_ID, COUNT_BY_FIELD, LIST_BY_FIELD, Context, FieldError

Body = dict[str, Any]


@dataclass
class Outcome:
    """An HTTP status and JSON body, plus what the stats want to know."""

    status: int
    body: Body
    rows: int = 0
    too_complex: bool = False
    operation: object = None
    """The request's `operationName` as sent (for the per-operation counters)."""


@dataclass(frozen=True)
class Prepared:
    document: DocumentNode | None
    errors: tuple[GraphQLError, ...]


def _error(message: str, **extra: Any) -> Body:
    return {"message": message, **extra}


def _format(error: GraphQLError) -> Body:
    return dict(error.formatted)


@dataclass
class Executor:
    """Answers GraphQL requests against one schema; holds the parsed-document cache."""

    schema: GraphQLSchema
    cache_size: int = 256
    _cache: OrderedDict[str, Prepared] = field(default_factory=OrderedDict)

    def prepare(self, query: str) -> Prepared:
        prepared = self._cache.get(query)
        if prepared is not None:
            self._cache.move_to_end(query)
            return prepared
        try:
            document = parse(query)
        except GraphQLError as exc:
            prepared = Prepared(None, (exc,))
        else:
            prepared = Prepared(document, tuple(validate(self.schema, document)))
        self._cache[query] = prepared
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return prepared

    def run(self, raw_body: bytes, ctx: Context, max_complexity: int) -> Outcome:
        try:
            payload = orjson.loads(raw_body)
        except orjson.JSONDecodeError as exc:
            return Outcome(400, {"errors": [_error(f"Request body is not valid JSON: {exc.msg}")]})
        outcome = self._run(payload, ctx, max_complexity)
        if isinstance(payload, dict):
            outcome.operation = payload.get("operationName")
        return outcome

    def _run(self, payload: Any, ctx: Context, max_complexity: int) -> Outcome:
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            return Outcome(
                400, {"errors": [_error("Request body must be a JSON object with a `query` string")]}
            )
        variables = payload.get("variables")
        operation_name = payload.get("operationName")
        if variables is not None and not isinstance(variables, dict):
            return Outcome(400, {"errors": [_error("`variables` must be a JSON object")]})
        if operation_name is not None and not isinstance(operation_name, str):
            return Outcome(400, {"errors": [_error("`operationName` must be a string")]})
        prepared = self.prepare(payload["query"])
        if prepared.errors or prepared.document is None:
            return Outcome(200, {"errors": [_format(e) for e in prepared.errors]})
        return self._execute(prepared.document, variables or {}, operation_name, ctx, max_complexity)

    def _execute(
        self,
        document: DocumentNode,
        raw_variables: dict[str, Any],
        operation_name: str | None,
        ctx: Context,
        max_complexity: int,
    ) -> Outcome:
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            message = (
                f"Unknown operation named '{operation_name}'."
                if operation_name
                else "Must provide operation name if query contains multiple operations."
            )
            return Outcome(200, {"errors": [_error(message)]})
        if operation.operation is not OperationType.QUERY:
            return Outcome(
                200,
                {"errors": [_error(f"The sandbox serves queries only, not {operation.operation.value}s")]},
            )
        coerced = get_variable_values(self.schema, operation.variable_definitions or [], raw_variables)
        if isinstance(coerced, list):
            return Outcome(200, {"errors": [_format(e) for e in coerced]})
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        cost = complexity.Cost(self.schema, fragments, coerced).operation(operation)
        if cost > max_complexity:
            return Outcome(
                200, {"errors": [_error(complexity.message(cost, max_complexity))]}, too_complex=True
            )
        if _is_introspection(self.schema, fragments, coerced, operation):
            result = execute_sync(
                self.schema, document, variable_values=raw_variables, operation_name=operation_name
            )
            body: Body = {"data": result.data}
            if result.errors:
                body["errors"] = [_format(e) for e in result.errors]
            return Outcome(200, body)
        return self._resolve(operation, fragments, coerced, ctx)

    def _resolve(
        self,
        operation: OperationDefinitionNode,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
        ctx: Context,
    ) -> Outcome:
        root = self.schema.query_type
        assert root is not None
        shaper = Shaper(self.schema, fragments, variables, ctx.store)
        data: Body = {}
        errors: list[Body] = []
        rows_served = 0
        for key, nodes in collect_fields(
            self.schema, fragments, variables, root, operation.selection_set
        ).items():
            name = nodes[0].name.value
            if name == "__typename":
                data[key] = root.name
                continue
            field_def = root.fields[name]
            args = get_argument_values(field_def, nodes[0], variables)
            try:
                if name in LIST_BY_FIELD:
                    rows, order = LIST_BY_FIELD[name].rows(args, ctx)
                    element = object_type(field_def.type)
                    data[key] = shaper.project_all(rows, shaper.plan(element, nodes, order))
                    rows_served += len(rows)
                elif name in COUNT_BY_FIELD:
                    data[key] = COUNT_BY_FIELD[name].count(args, ctx)
                else:
                    row = BY_ID[name].row(args, ctx)
                    data[key] = (
                        None
                        if row is None
                        else shaper.project(row, shaper.plan(object_type(field_def.type), nodes))
                    )
                    rows_served += row is not None
            except FieldError as exc:
                data[key] = None
                location = nodes[0].loc
                error = _error(str(exc), path=[key])
                if location is not None:
                    error["locations"] = [
                        {"line": location.start_token.line, "column": location.start_token.column}
                    ]
                errors.append(error)
        body: Body = {"data": data}
        if errors:
            body["errors"] = errors
        return Outcome(200, body, rows=rows_served)


def _is_introspection(
    schema: GraphQLSchema,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
    operation: OperationDefinitionNode,
) -> bool:
    root = schema.query_type
    assert root is not None
    names = {
        nodes[0].name.value
        for nodes in collect_fields(schema, fragments, variables, root, operation.selection_set).values()
    }
    return any(n in ("__schema", "__type") for n in names)
