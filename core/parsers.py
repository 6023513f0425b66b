"""The API's JSON parser: DRF's, with a bound on nesting."""

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

# No request of this API nests deeper than a few levels; deeper input is refused before any
# serializer, deepcopy or encoder walks it recursively.
MAX_JSON_DEPTH = 32
TOO_DEEP = f"JSON parse error - the document is nested deeper than {MAX_JSON_DEPTH} levels."


def _too_deep(data: Any) -> bool:
    """Whether lists and objects nest deeper than MAX_JSON_DEPTH (walked without recursion)."""
    pending = [(data, 1)]
    while pending:
        node, depth = pending.pop()
        if isinstance(node, dict | list):
            if depth > MAX_JSON_DEPTH:
                return True
            children = node.values() if isinstance(node, dict) else node
            pending.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    """A 400 for JSON nested too deeply: Python's decoder raises RecursionError, not ValueError."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        if _too_deep(data):
            raise ParseError(TOO_DEEP)
        return data
