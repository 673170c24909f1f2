"""The API's contract: the OpenAPI document and a docs page, both served locally."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, json, render_template

from api.contract import openapi_document

blueprint = Blueprint("docs", __name__, url_prefix="/api/v1")


def cached_document() -> dict[str, Any]:
    """The OpenAPI document, built once per application."""
    document: dict[str, Any] | None = current_app.extensions.get("homecare_openapi")
    if document is None:
        document = openapi_document(current_app)
        current_app.extensions["homecare_openapi"] = document
    return document


@blueprint.get("/openapi.json")
def openapi_json() -> Response:
    """The OpenAPI 3.1 document, generated from the registered endpoints."""
    return Response(json.dumps(cached_document()), mimetype="application/json")


@blueprint.get("/docs")
def docs_page() -> str:
    """A readable page of every endpoint: who may call it, its parameters and answers."""
    document = cached_document()
    operations = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            operations.append({"path": path, "method": method.upper(), **operation})
    tags: dict[str, list[dict[str, Any]]] = {}
    for operation in operations:
        tags.setdefault(operation["tags"][0], []).append(operation)
    return render_template("docs.html", document=document, tags=tags)
