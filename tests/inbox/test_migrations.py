"""Forward errors stored before the outbound policy keep their status, not the answer's body."""

import pytest


@pytest.mark.parametrize(
    ("stored", "becomes"),
    [
        (
            "HTTP 500: <html>internal admin page</html>",
            "HTTP 500: the forward URL did not accept the message.",
        ),
        (
            "HTTP 302: ",
            "HTTP 302: the forward URL answered with a redirect, which is never followed.",
        ),
        (
            "Could not connect: HTTPConnectionPool(host='10.0.0.1', port=22): refused",
            "Could not connect to the forward URL's host.",
        ),
        ("No answer within 10 seconds.", "No answer within 10 seconds."),
    ],
    ids=["5xx", "redirect", "connection", "timeout"],
)
def test_stored_forward_errors_lose_the_answer(migrate, stored, becomes):
    old = migrate({"inbox": "0003_optout_to_messaging"})
    message = old.get_model("inbox", "InboundMessage").objects.create(
        receiver="4455", sender="+905321234567", text="hi", forward_error=stored
    )

    new = migrate({})

    assert new.get_model("inbox", "InboundMessage").objects.get(pk=message.pk).forward_error == (
        becomes
    )
