"""riskctl sim's words for a broker refusal without a message (trial 2026-12-06: `riskctl sim buy`
with the sim's market closed printed "/api/Order/place failed: None (error 2)")."""
from cli.commands.sim import refusal_words


def test_a_refusal_without_a_message_says_what_its_code_means():
    said = refusal_words("/api/Order/place", {"success": False, "errorCode": 2,
                                              "errorMessage": None})
    assert said.startswith("the order was rejected (the sim's market may be closed"), said
    assert "None" not in said


def test_a_message_is_kept_and_an_unknown_code_says_there_was_none():
    assert refusal_words("/api/Order/place", {"errorCode": 1, "errorMessage": "no such"}) == \
        "no such (error 1)"
    assert refusal_words("/api/Order/modify", {"errorCode": 3, "errorMessage": None}) == \
        "error 3, no message"
