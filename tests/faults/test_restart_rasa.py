"""kill -9 Rasa mid-survey and start it again: the customer goes on where they were, into the same response.

Without a persistent tracker store the restarted Rasa has forgotten the conversation: the next
answer starts a new survey without customer, touchpoint or order, and a contact count "4" is
read as a score of 4.
"""

from __future__ import annotations

import pytest

from tests.faults.restarts import assert_stored_once, texts

pytestmark = pytest.mark.e2e
def test_a_survey_goes_on_into_the_same_response_after_rasa_is_killed(fault_stack) -> None:
    customer, sender, first = fault_stack.survey("delivery", order_id="A-4711")
    assert "1" in texts(first) or any(m.get("buttons") for m in first), first
    assert "wrong" in texts(fault_stack.say(sender, "2"))
    assert "differently" in texts(fault_stack.say(sender, "The parcel came a week late and the box was crushed."))
    assert "easy" in texts(fault_stack.say(sender, "Tell me the real delivery date and pack it properly."))
    assert "first time" in texts(fault_stack.say(sender, "2"))
    assert "how many" in texts(fault_stack.say(sender, "no"))

    recovery = fault_stack.kill_and_time_restart("rasa")

    thanks = fault_stack.say(sender, "4")
    assert "thank" in texts(thanks), f"after the restart the survey did not go on: {thanks}"
    assert_stored_once(
        fault_stack.database_url, customer, sender,
        {"score": 2, "effort": 2, "contact_count": 4,
         "text": "The parcel came a week late and the box was crushed.",
         "probe_text": "Tell me the real delivery date and pack it properly."},
        touchpoint="delivery", order_id="A-4711",
    )
    print(f"\n[figures] kill -9 rasa: answers sent 6, stored 6, lost 0, duplicated 0; "
          f"Rasa back after {recovery:.1f}s")
