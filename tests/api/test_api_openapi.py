"""The OpenAPI document is complete: every API route has its answer, errors, auth and examples."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Api

CLIENT_PATHS = {
    ("get", "/api/v1/whatsapp/status"),
    ("post", "/api/v1/whatsapp/link"),
    ("delete", "/api/v1/whatsapp/unlink"),
    ("post", "/api/v1/whatsapp/toggle"),
    ("post", "/api/v1/whatsapp/test"),
    ("get", "/api/v1/whatsapp/settings"),
    ("post", "/api/v1/whatsapp/verify"),
}


@pytest.fixture
async def document(api: Api) -> dict[str, Any]:
    response = await api.client.get("/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        if path.startswith(("/api/v1/", "/dashboard"))
        for method, operation in item.items()
    ]


async def test_docs_page_is_served(api: Api) -> None:
    page = await api.client.get("/docs")
    assert page.status_code == 200
    assert "/openapi.json" in page.text


async def test_the_clients_whatsapp_paths_exist_exactly(document: dict[str, Any]) -> None:
    present = {(m, p) for m, p, _ in _operations(document)}
    assert present >= CLIENT_PATHS


async def test_every_operation_declares_answer_errors_and_auth(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["userToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["userToken"]["description"],
    }
    assert schemes["adminToken"]["scheme"] == "bearer"
    assert schemes["adminBasic"]["scheme"] == "basic"
    operations = _operations(document)
    assert len(operations) >= 30
    for method, path, operation in operations:
        where = f"{method.upper()} {path}"
        assert operation.get("security"), where
        assert operation.get("description"), where
        responses = operation["responses"]
        success = [code for code in responses if code.startswith("2")]
        assert len(success) == 1, where
        if success[0] != "204":
            content = responses[success[0]]["content"]
            schema = next(iter(content.values()))["schema"]
            assert schema.get("$ref") or schema.get("type") or schema.get("items"), where
        for status in ("401", "429"):
            error = responses[status]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/ErrorOut"}, (where, status)
        assert "Retry-After" in responses["429"]["headers"], where
        if operation.get("parameters") or operation.get("requestBody"):
            assert "422" in responses, where
        if "requestBody" in operation:
            assert "413" in responses, where


async def test_bodies_and_answers_carry_examples(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for name in ("ErrorOut", "ListingOut", "NotificationOut", "LinkStartedOut", "TestSentOut"):
        assert schemas[name].get("examples"), name
    for method, path in (("post", "/api/v1/filters"), ("patch", "/api/v1/me")):
        body = document["paths"][path][method]["requestBody"]["content"]["application/json"]
        assert body.get("examples"), (method, path)
    for path in ("/api/v1/me", "/api/v1/whatsapp/status", "/api/v1/filters"):
        answer = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        assert answer.get("example"), path


async def test_unknown_fields_are_refused_in_the_documented_bodies(
    document: dict[str, Any],
) -> None:
    schemas = document["components"]["schemas"]
    for method, path, operation in _operations(document):
        if "requestBody" not in operation:
            continue
        ref = operation["requestBody"]["content"]["application/json"]["schema"]
        ref = ref.get("$ref") or next(s["$ref"] for s in ref["anyOf"] if "$ref" in s)
        name = ref.rsplit("/", 1)[-1]
        assert schemas[name].get("additionalProperties") is False, (method, path, name)
