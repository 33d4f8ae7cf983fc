"""The API's documentation as a GOV.UK page (issue 12, part 8): every operation, its parameters,
what it takes and what it answers, and every schema, drawn from the same OpenAPI document as
``/api/openapi.json``. It replaces Swagger UI, whose page failed axe 29 times (contrast, nested
interactive controls, target size, no ``lang``) and needs JavaScript to show anything."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    required: bool
    description: str


@dataclass(frozen=True)
class Answer:
    status: str
    description: str
    content_type: str
    schema: str


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: list[SafeString]
    anchor: str
    parameters: list[Field] = field(default_factory=list)
    body: str = ""
    body_types: list[str] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)


@dataclass
class Schema:
    name: str
    description: list[SafeString]
    fields: list[Field]
    values: list[str]


def _ref(value: dict[str, Any]) -> str:
    return str(value.get("$ref", "")).rsplit("/", 1)[-1]


def kind(schema: dict[str, Any]) -> str:
    """A property's type in words: "string", "list of Concern", "one of: a, b", "Feed"."""
    if "$ref" in schema:
        return _ref(schema)
    if "enum" in schema:
        return "one of: " + ", ".join(str(v) for v in schema["enum"])
    for combined in ("anyOf", "oneOf", "allOf"):
        if combined in schema:
            kinds = [kind(s) for s in schema[combined] if s.get("type") != "null"]
            nullable = any(s.get("type") == "null" for s in schema[combined])
            return " or ".join(kinds) + (" (or null)" if nullable else "")
    if schema.get("type") == "array":
        return f"list of {kind(schema.get('items', {}))}"
    text = str(schema.get("type", "any"))
    if "format" in schema:
        text += f" ({schema['format']})"
    if "maxLength" in schema:
        text += f", at most {schema['maxLength']} characters"
    return text


def _paragraphs(text: str) -> list[SafeString]:
    """The descriptions' paragraphs, escaped, with `code` as code (the only markup they use)."""
    return [
        mark_safe(re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(" ".join(p.split()))))  # noqa: S308  # escaped first
        for p in text.split("\n\n")
        if p.strip()
    ]


def operations(document: dict[str, Any]) -> list[Operation]:
    found = []
    for path, methods in document.get("paths", {}).items():
        for method in METHODS:
            operation = methods.get(method)
            if operation is None:
                continue
            op = Operation(
                method=method.upper(),
                path=path,
                summary=operation.get("summary", ""),
                description=_paragraphs(operation.get("description", "")),
                anchor=operation.get("operationId", f"{method}-{path}"),
            )
            for parameter in operation.get("parameters", []):
                op.parameters.append(
                    Field(
                        name=f"{parameter['name']} ({parameter['in']})",
                        kind=kind(parameter.get("schema", {})),
                        required=bool(parameter.get("required")),
                        description=parameter.get("description", ""),
                    )
                )
            body = operation.get("requestBody", {}).get("content", {})
            op.body_types = list(body)
            for content in body.values():
                op.body = op.body or kind(content.get("schema", {}))
            for status, answer in operation.get("responses", {}).items():
                content = answer.get("content", {})
                for content_type, spec in content.items() or [("", {})]:
                    op.answers.append(
                        Answer(
                            status=str(status),
                            description=answer.get("description", ""),
                            content_type=content_type,
                            schema=kind(spec.get("schema", {})) if spec else "",
                        )
                    )
                if not content:
                    op.answers.append(Answer(str(status), answer.get("description", ""), "", ""))
            found.append(op)
    return found


def schemas(document: dict[str, Any]) -> list[Schema]:
    found = []
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        required = set(schema.get("required", []))
        found.append(
            Schema(
                name=name,
                description=_paragraphs(schema.get("description", "")),
                fields=[
                    Field(
                        name=prop,
                        kind=kind(spec),
                        required=prop in required,
                        description=spec.get("description", ""),
                    )
                    for prop, spec in schema.get("properties", {}).items()
                ],
                values=[str(v) for v in schema.get("enum", [])],
            )
        )
    return found


class GovukDocs(DocsBase):
    """Ninja's documentation page, as a GOV.UK page with tables."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        document = api.get_openapi_schema(path_params=kwargs)
        info = document.get("info", {})
        return render(
            request,
            "frontdoor/api_docs.html",
            {
                "title": info.get("title", "API"),
                "version": info.get("version", ""),
                "description": _paragraphs(info.get("description", "")),
                "openapi_url": self.get_openapi_url(api, kwargs),
                "operations": operations(document),
                "schemas": schemas(document),
            },
        )
