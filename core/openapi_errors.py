"""OpenAPI: document the error answers every endpoint can give (core.api's one format).

drf-spectacular documents only the success answer; clients (and schemathesis) need the errors too.
"""

ERROR_SCHEMA = {
    "type": "object",
    "description": 'Every error: {"error": "...", "fields": {"field": ["message"]}, "status": 400}.',
    "properties": {
        "error": {"type": "string"},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "status": {"type": "integer"},
    },
    "required": ["error", "status"],
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}
WRITE_METHODS = {"post", "put", "patch"}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}


def document_error_answers(result, generator, request, public):
    """drf-spectacular post-processing hook: add 400/401/403/404/405/406/413/415 to each operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            answers = operation.setdefault("responses", {})
            errors = {
                "401": "No or an unknown API key.",
                "403": "The API key lacks the scope (named in `error`) or is used from an address "
                "it does not allow, or the user's role may not do this.",
                "405": "Method not allowed.",
                "406": "Only JSON answers are offered.",
            }
            if method in WRITE_METHODS or operation.get("parameters"):
                errors["400"] = "The request is not valid; `fields` says what is wrong."
            if method in WRITE_METHODS:
                errors["413"] = "The body is larger than the upload limit."
                errors["415"] = "Send JSON, form or multipart data."
            if "{" in path:
                errors["404"] = "No such object."
            for code, description in errors.items():
                answers.setdefault(code, _error(description))
    return result
