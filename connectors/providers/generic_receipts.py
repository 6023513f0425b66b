"""Delivery reports for the generic HTTP connector: where the id and the state are in a push.

An operator describes the provider's receipt with a few options: the field holding the provider's
message id (the one the send answer gave), the field holding the state, and which values of it
mean delivered or undelivered. A push may be JSON (one object, or a list of them; fields by dotted
path such as data.status) or form fields / query parameters.
"""

import json
import re
from typing import Any

from django import forms

from connectors.providers.base import e164_from
from connectors.providers.types import DeliveryState, Receipt, ReceiptRequest
from core.text import digits_only

FIELD_PATH_RE = r"^[\w.\[\]-]+$"


def _path_field(label: str, help_text: str) -> forms.RegexField:
    return forms.RegexField(
        label=label, required=False, max_length=200, regex=FIELD_PATH_RE, help_text=help_text
    )


def _values_field(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=300, help_text=help_text)


RECEIPT_OPTION_FIELDS: dict[str, forms.Field] = {
    "receipt_id_field": _path_field(
        "Receipt: message id field",
        "Optional. Where a pushed delivery report holds the provider's message id (the id its "
        "send answer gave): a form field name or a JSON path such as data.id. With the state "
        "field, the provider may push receipts to this connector's receipt URL.",
    ),
    "receipt_state_field": _path_field(
        "Receipt: state field", "Where the delivery report holds the state, e.g. status."
    ),
    "receipt_number_field": _path_field(
        "Receipt: number field", "Optional. Where it holds the recipient's number."
    ),
    "receipt_delivered_values": _values_field(
        "Receipt: delivered values",
        "Comma separated values of the state field that mean delivered, e.g. DELIVRD, delivered.",
    ),
    "receipt_undelivered_values": _values_field(
        "Receipt: undelivered values",
        "Comma separated values that mean not delivered, e.g. UNDELIV, failed. Other values "
        "leave the message pending.",
    ),
}


def receipt_rules_set(options: dict[str, Any]) -> bool:
    """Whether the connector says where the id and the state of a receipt are."""
    return bool(options.get("receipt_id_field") and options.get("receipt_state_field"))


def receipts_by_rules(options: dict[str, Any], request: ReceiptRequest) -> list[Receipt]:
    """The receipts of a push read by the connector's rules; ValueError when they find none."""
    if not receipt_rules_set(options):
        raise ValueError("the connector has no receipt rules (id and state fields)")
    items = _items(request)
    states = {
        **dict.fromkeys(_values(options.get("receipt_delivered_values")), DeliveryState.DELIVERED),
        **dict.fromkeys(
            _values(options.get("receipt_undelivered_values")), DeliveryState.UNDELIVERED
        ),
    }
    receipts = []
    for item in items:
        provider_id = _value(item, options["receipt_id_field"])
        state = _value(item, options["receipt_state_field"])
        if not provider_id or state is None:
            continue
        number = _value(item, options.get("receipt_number_field") or "") or ""
        receipts.append(
            Receipt(
                state=states.get(state.lower(), DeliveryState.PENDING),
                provider_message_id=provider_id,
                number=e164_from(number) if number else "",
                code=state,
                raw=json.dumps(item, ensure_ascii=False),
            )
        )
    if not receipts:
        raise ValueError("no message id and state where the connector's rules say")
    return receipts


def _items(request: ReceiptRequest) -> list[dict]:
    if "json" in request.content_type:
        try:
            data = json.loads(request.body)
        except ValueError:
            raise ValueError("the body is not JSON") from None
        return [
            item for item in (data if isinstance(data, list) else [data]) if isinstance(item, dict)
        ]
    return [request.fields]


def _value(item: Any, path: str) -> str | None:
    """The value at a dotted path (list positions as numbers), as text; None when absent."""
    if not path:
        return None
    for step in re.findall(r"[^.\[\]]+", path):
        if isinstance(item, list) and digits_only(step) and int(step) < len(item):
            item = item[int(step)]
        elif isinstance(item, dict) and step in item:
            item = item[step]
        else:
            return None
    return None if isinstance(item, (dict, list)) or item is None else str(item)


def _values(text: str | None) -> list[str]:
    return [value.strip().lower() for value in (text or "").split(",") if value.strip()]
