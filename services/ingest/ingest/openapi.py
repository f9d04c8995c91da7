"""OpenAPI documentation of the applications body, which the route validates itself (all or
nothing).

The body's schema is the shared ApplicationReceived schema (its limits, the id pattern, integer
counts and flags, timestamps with a timezone), one object or a list of 1 to max_batch_size.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from credit.events import ApplicationReceived

APPLICATIONS_PATH = "/v1/applications"
_REF = {"$ref": "#/components/schemas/ApplicationReceived"}


def applications_body(max_batch_size: int) -> dict:
    """The request body: one application, or a list of at least 1 and at most max_batch_size."""
    batch = {"type": "array", "items": _REF, "minItems": 1, "maxItems": max_batch_size}
    return {
        "required": True,
        "description": "One application (a JSON object with the Kaggle application columns) "
        f"or a list of 1 to {max_batch_size}; all are validated before any is published.",
        "content": {"application/json": {"schema": {"anyOf": [_REF, batch]}}},
    }


def install_openapi(app: FastAPI) -> None:
    """Adds the applications body and the ApplicationReceived schema to the generated document
    (built on first request)."""

    def build() -> dict:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            schema["paths"][APPLICATIONS_PATH]["post"]["requestBody"] = applications_body(
                app.state.settings.max_batch_size
            )
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            schemas["ApplicationReceived"] = ApplicationReceived.model_json_schema(
                ref_template="#/components/schemas/{model}"
            )
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = build
