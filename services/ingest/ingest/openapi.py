"""OpenAPI documentation of the applications body, which the route validates itself (all or nothing)."""
from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from credit.events import ApplicationReceived

_REF = {"$ref": "#/components/schemas/ApplicationReceived"}

APPLICATIONS_BODY = {
    "requestBody": {
        "required": True,
        "description": "One application (a JSON object with the Kaggle application columns) or a list of them.",
        "content": {"application/json": {"schema": {"anyOf": [_REF, {"type": "array", "items": _REF}]}}},
    }
}


def install_openapi(app: FastAPI) -> None:
    """Adds the ApplicationReceived schema to the generated document (built on first request)."""
    def build() -> dict:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            schemas["ApplicationReceived"] = ApplicationReceived.model_json_schema(
                ref_template="#/components/schemas/{model}")
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = build
