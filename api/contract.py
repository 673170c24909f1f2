"""The API's contract, declared once beside each view and turned into OpenAPI 3.

Every JSON endpoint is registered with :func:`api_route`, which names the roles
allowed (deny by default), the query and body models (pydantic), the response
model and the error statuses. The same declaration guards the view, parses and
validates its input (a 4xx JSON error naming the field, never a 500) and
serialises its answer, so the document at ``/api/v1/openapi.json`` describes
what the code really does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, Flask, Response, g, request
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema

from api.database import get_session
from api.errors import ApiError
from api.schemas import ErrorOut, ImportErrorOut
from scheduler.db.models import Role
from scheduler.services.scope import Scope, scope_for

F = TypeVar("F", bound=Callable[..., Any])
ALL_ROLES: tuple[Role, ...] = tuple(Role)
ERROR_TEXT = {
    400: "Bad input: the field and the reason are named",
    401: "Not signed in: a valid bearer token is required",
    403: "Signed in, but the role does not allow this",
    404: "Not found, or outside the caller's scope (the two answer alike)",
    405: "The path names a resource that does not allow this method",
    409: "Conflicts with the current state",
    412: "The resource changed since it was read (If-Match does not match its ETag)",
    413: "The request is too large",
    415: "Send a JSON object (Content-Type: application/json)",
    422: "The file was refused: every problem is listed with its row and column",
    428: "If-Match is required: read the resource first and send its ETag",
    429: "Too many failed sign-ins: wait for Retry-After seconds",
}


@dataclass(frozen=True)
class Contract:
    """What one endpoint promises: who may call it, what it takes and what it answers."""

    method: str
    summary: str
    tag: str
    roles: tuple[Role, ...] | None
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    errors: tuple[int, ...] = ()
    media: tuple[str, ...] = ()
    body_media: tuple[str, ...] = ()
    if_match: bool = False
    etag: bool = False
    location: bool = False
    scoped: str = "none"
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    shortcut: Callable[[], Response | None] | None = None
    """Tried before the standard path (guard, parse, view); None from it means "go on"."""


def _field_of(error: dict[str, Any]) -> str | None:
    location = [str(part) for part in error.get("loc", ()) if not isinstance(part, int)]
    return ".".join(location) or None


def validation_error(error: ValidationError) -> ApiError:
    """The first problem pydantic found, as a 400 naming the field and the reason."""
    first = error.errors(include_url=False)[0]
    name = _field_of(dict(first))
    reason = str(first.get("msg", "is not valid"))
    if first.get("type") == "extra_forbidden":
        reason = "is not a field of this request"
    elif first.get("type") == "missing":
        reason = "is required"
    return ApiError(400, f"{name}: {reason}" if name else reason, name)


def parse_query(model: type[BaseModel]) -> BaseModel:
    """The query string as ``model`` (lax: text becomes numbers and dates)."""
    try:
        return model.model_validate(request.args.to_dict(flat=True))
    except ValidationError as error:
        raise validation_error(error) from None


def parse_body(model: type[BaseModel]) -> BaseModel:
    """The JSON body as ``model``, strictly typed (``"5"`` is not a number)."""
    if not request.is_json:
        raise ApiError(415, "send a JSON object with Content-Type: application/json")
    raw = request.get_data(cache=True)
    try:
        return model.model_validate_json(raw or b"", strict=True)
    except ValidationError as error:
        if any(e.get("type") == "json_invalid" for e in error.errors()):
            raise ApiError(400, "the body is not valid JSON") from None
        if any(e.get("type") == "model_type" and not e.get("loc") for e in error.errors()):
            raise ApiError(400, "the body must be a JSON object") from None
        raise validation_error(error) from None


def current_scope() -> Scope:
    """The signed-in account's scope (worked out once per request)."""
    if "scope" not in g:
        g.scope = scope_for(g.user, session=get_session())
    scope: Scope = g.scope
    return scope


def json_response(
    model: BaseModel, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """``model`` as a JSON response."""
    return Response(
        model.model_dump_json(by_alias=True),
        status=status,
        headers=headers,
        mimetype="application/json",
    )


def api_route(
    blueprint: Blueprint,
    rule: str,
    contract: Contract,
) -> Callable[[F], F]:
    """Register a view under ``rule`` with its contract (see :class:`Contract`).

    The view receives ``query=`` and ``body=`` models when declared, and returns
    a response model, ``(model, status)``, ``(model, status, headers)`` or a
    ready :class:`flask.Response` (CSV, calendars, 204).
    """
    from api.auth import authenticate_request

    def decorate(view: F) -> F:
        @wraps(view)
        def handler(**kwargs: Any) -> Response:
            if contract.shortcut is not None:
                answer = contract.shortcut()
                if answer is not None:
                    return answer
            if contract.roles is not None:
                authenticate_request(contract.roles)
            if contract.query is not None:
                kwargs["query"] = parse_query(contract.query)
            if contract.body is not None:
                kwargs["body"] = parse_body(contract.body)
            result = view(**kwargs)
            if isinstance(result, Response):
                return result
            if isinstance(result, tuple):
                model, status, *rest = result
                return json_response(model, status, rest[0] if rest else None)
            return json_response(result, contract.status)

        handler.api_contract = contract  # type: ignore[attr-defined]
        blueprint.add_url_rule(rule, view.__name__, handler, methods=[contract.method])
        return view

    return decorate


# --------------------------------------------------------------------------- OpenAPI

_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _openapi_path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    parameters = []
    for converter, name in _CONVERTER.findall(rule):
        schema: dict[str, Any] = (
            {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
            if converter == "int"
            else {"type": "string"}
        )
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    return _CONVERTER.sub(r"{\2}", rule), parameters


def _query_parameters(model: type[BaseModel], schemas: dict[str, Any]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in schema.get("$defs", {}).items():
        schemas.setdefault(name, definition)
    required = set(schema.get("required", ()))
    parameters = []
    for name, prop in schema.get("properties", {}).items():
        prop = dict(prop)
        description = prop.pop("description", None)
        prop.pop("title", None)
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": prop,
        }
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


def _models(contracts: Iterable[Contract]) -> list[type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {"ErrorOut": ErrorOut, "ImportErrorOut": ImportErrorOut}
    for contract in contracts:
        for model in (contract.body, contract.response):
            if model is not None:
                found[model.__name__] = model
    return list(found.values())


def openapi_document(app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.1 document of every endpoint registered with :func:`api_route`."""
    routes: list[tuple[str, Contract]] = []
    for url_rule in app.url_map.iter_rules():
        view = app.view_functions.get(url_rule.endpoint)
        contract = getattr(view, "api_contract", None)
        if contract is not None:
            routes.append((url_rule.rule, contract))
    routes.sort(key=lambda item: (item[0], item[1].method))
    models = _models(c for _, c in routes)
    keyed, definitions = models_json_schema(
        [(m, "serialization") for m in models] + [(m, "validation") for m in models],
        ref_template="#/components/schemas/{model}",
    )
    schemas: dict[str, Any] = dict(definitions.get("$defs", {}))

    def ref(model: type[BaseModel], mode: str) -> dict[str, Any]:
        return dict(keyed[(model, mode)])  # type: ignore[index]

    paths: dict[str, dict[str, Any]] = {}
    for rule, contract in routes:
        path, parameters = _openapi_path(rule)
        if contract.query is not None:
            parameters += _query_parameters(contract.query, schemas)
        if contract.if_match:
            parameters.append(
                {
                    "name": "If-Match",
                    "in": "header",
                    "required": False,
                    "description": "The ETag of the visit as last read (required: 428 without it)",
                    "schema": {"type": "string"},
                }
            )
        slug = re.sub(r"[^a-z0-9]+", "_", path.lower()).strip("_")
        operation: dict[str, Any] = {
            "operationId": f"{contract.method.lower()}_{slug}",
            "summary": contract.summary,
            "tags": [contract.tag],
            "parameters": parameters,
            "responses": {},
        }
        if contract.description:
            operation["description"] = contract.description
        if contract.roles is None:
            operation["security"] = []
        else:
            operation["x-roles"] = [r.value for r in contract.roles]
        if contract.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": ref(contract.body, "validation")}},
            }
        elif contract.body_media:
            operation["requestBody"] = {
                "required": True,
                "content": {media: {"schema": {"type": "string"}} for media in contract.body_media},
            }
        success: dict[str, Any] = {"description": "Success"}
        content: dict[str, Any] = {}
        if contract.response is not None:
            content["application/json"] = {"schema": ref(contract.response, "serialization")}
        for media in contract.media:
            content[media] = {"schema": {"type": "string"}}
        if content:
            success["content"] = content
        headers: dict[str, Any] = {}
        if contract.etag:
            headers["ETag"] = {"schema": {"type": "string"}, "description": "The visit's version"}
        if contract.location:
            headers["Location"] = {"schema": {"type": "string"}, "description": "Where to poll"}
        if headers:
            success["headers"] = headers
        operation["responses"][str(contract.status)] = success
        statuses = set(contract.errors) | {400}
        if contract.roles is not None:
            statuses |= {401, 403}
        if contract.body is not None:
            statuses |= {415}
        if "{" in path:
            statuses |= {404, 405}
        for status in sorted(statuses):
            model = ImportErrorOut if status == 422 else ErrorOut
            response: dict[str, Any] = {
                "description": ERROR_TEXT.get(status, "Error"),
                "content": {"application/json": {"schema": ref(model, "serialization")}},
            }
            if status == 429:
                response["headers"] = {"Retry-After": {"schema": {"type": "string"}}}
            operation["responses"][str(status)] = response
        paths.setdefault(path, {})[contract.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "NHS homecare rota API",
            "version": "1",
            "description": (
                "Plans and routes for homecare workers, coordinators and managers. "
                "Dates are ISO 8601 (YYYY-MM-DD); instants are ISO 8601 with an offset, "
                "shown in Europe/London. Every error is JSON {status, message, field}."
            ),
        },
        "servers": [{"url": "/"}],
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
        "paths": paths,
    }
