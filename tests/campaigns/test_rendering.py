import pytest
from django.core.exceptions import ValidationError

from messaging.campaigns import rendering


def test_placeholders_in_order_each_once():
    assert rendering.placeholders_in("Hi {{first_name}}, {{ code }} {{first_name}}") == [
        "first_name",
        "code",
    ]


def test_render_fills_values_trimmed():
    assert (
        rendering.render("Hi {{ name }}, code {{code}}", {"name": " Ayşe ", "code": 42})
        == "Hi Ayşe, code 42"
    )


@pytest.mark.parametrize(
    "params",
    [{}, {"name": ""}, {"name": "   "}, {"name": None}],
    ids=["absent", "empty", "blank", "null"],
)
def test_render_missing_value_is_an_error_not_an_empty_string(params):
    with pytest.raises(ValidationError, match=r"No value for \{\{name\}\}"):
        rendering.render("Hi {{name}}", params)


def test_malformed_placeholders_are_found():
    assert rendering.malformed_placeholders("Hi {{first name}} {{ok}} {{}}") == [
        "{{first name}}",
        "{{}}",
    ]


def test_preview_measures_the_rendered_text():
    result = rendering.preview("Merhaba {{name}}", {"name": "Ayşe"})
    assert result["rendered"] == "Merhaba Ayşe"
    assert result["measure"].encoding == "GSM-7 Turkish"
    assert result["measure"].segments == 1


def test_preview_lists_missing_values_without_rendering():
    result = rendering.preview("Hi {{a}} {{b}}", {"a": "x"})
    assert result["missing"] == ["b"]
    assert result["rendered"] == ""
