"""The website widget in a real browser (Debian's chromium) against the whole running product.

A customer opens the demo shop's order page, answers the survey by clicking and typing, reloads
the page halfway, and the answers end up in the database. A second customer does it on a
phone-sized screen with the keyboard only. Every request the page makes must stay on this host:
the widget is vendored, never fetched from a CDN.

Set SILOSCOPE_UPDATE_DOCS=1 to refresh the screenshots in docs/.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright import sync_api as playwright_api
from sqlalchemy import select

from bot.settings import PROJECT_ROOT
from bot.store.db import session_factory
from bot.store.models import Conversation, Customer, FeedbackResponse

pytestmark = pytest.mark.e2e

BOT_TIMEOUT_MS = 60_000  # a slow, shared test machine; the widget itself adds no delay
LOCAL_HOSTS = {"127.0.0.1", "localhost"}

# When each message of the chat appeared on screen with its words (performance.now(), ms): the
# customer's own messages (rw-client) and the bot's (rw-response), in that order. rasa-webchat puts an
# empty bubble up first while it holds a message back, so a message counts once it shows text.
WATCH_MESSAGES = """
window.__shown = [];
const counted = new WeakSet();
new MutationObserver(() => {
  document.querySelectorAll('#siloscope-widget .rw-client, #siloscope-widget .rw-response').forEach((e) => {
    if (!counted.has(e) && e.textContent.trim() !== '') {
      counted.add(e);
      window.__shown.push({who: e.classList.contains('rw-client') ? 'customer' : 'bot',
                           text: e.textContent, at: performance.now()});
    }
  });
}).observe(document, {childList: true, subtree: true, characterData: true});
"""


class Visit:
    """One customer's browser tab on the demo page, with every request it makes recorded."""

    def __init__(self, browser: object, web_url: str, tmp_path: Path, **context: object) -> None:
        self.context = browser.new_context(**context)  # type: ignore[attr-defined]
        self.context.add_init_script(WATCH_MESSAGES)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.web_url = web_url
        self.tmp_path = tmp_path
        self.customer = f"C-WEB-{uuid.uuid4().hex[:8]}"

    def open_page(self, order: str = "NW-2001") -> None:
        self.page.goto(f"{self.web_url}/?customer={self.customer}&order={order}")
        # The page's own button is enabled once the widget has loaded.
        self.page.locator("#rate-button:enabled").wait_for(timeout=BOT_TIMEOUT_MS)

    def bot_says(self, pattern: str) -> None:
        """Wait until the bot's latest messages include one matching ``pattern``."""
        message = self.page.locator(".rw-response").filter(has_text=re.compile(pattern, re.IGNORECASE))
        playwright_api.expect(message.last).to_be_visible(timeout=BOT_TIMEOUT_MS)

    def answer_button(self, name: str) -> object:
        return self.page.locator("#siloscope-widget").get_by_role("button", name=re.compile(rf"^{name}\b"))

    def click_answer(self, name: str) -> None:
        self.answer_button(name).click()

    def type_answer(self, text: str) -> None:
        box = self.page.get_by_role("textbox", name=re.compile("answer", re.IGNORECASE))
        box.click()
        box.press_sequentially(text)
        box.press("Enter")

    def screenshot(self, name: str) -> None:
        path = self.tmp_path / name
        self.page.screenshot(path=str(path), animations="disabled")
        if os.environ.get("SILOSCOPE_UPDATE_DOCS") == "1":
            (PROJECT_ROOT / "docs").mkdir(exist_ok=True)
            (PROJECT_ROOT / "docs" / name).write_bytes(path.read_bytes())

    def focused(self) -> dict[str, str]:
        return self.page.evaluate(
            """() => { const e = document.activeElement; return {
                 cls: e.className || '', role: e.getAttribute('role') || e.tagName.toLowerCase(),
                 label: e.getAttribute('aria-label') || '', text: (e.textContent || '').trim() }; }"""
        )

    def unlabelled_controls(self) -> list[str]:
        """Buttons and fields in the widget that a screen reader could not name."""
        return self.page.evaluate(
            """() => Array.from(document.querySelectorAll(
                 '#siloscope-widget button, #siloscope-widget [role=button], #siloscope-widget textarea'))
               .filter(e => !(e.getAttribute('aria-label') || e.textContent.trim()))
               .map(e => e.outerHTML.slice(0, 80))"""
        )

    def foreign_requests(self) -> list[str]:
        return [url for url in self.requests if urlsplit(url).hostname not in LOCAL_HOSTS and "://" in url]

    def close(self) -> None:
        self.context.close()


def stored(stack: object, customer_ref: str, order: str) -> tuple[FeedbackResponse, Conversation]:
    """The one response this customer gave about this order."""
    with session_factory(stack.engine)() as session:  # type: ignore[attr-defined]
        response, conversation = session.execute(
            select(FeedbackResponse, Conversation)
            .join(Conversation, FeedbackResponse.conversation_id == Conversation.id)
            .join(Customer, Conversation.customer_id == Customer.id)
            .where(Customer.ref == customer_ref, Conversation.order_id == order)
        ).one()
        session.expunge_all()
        return response, conversation


def test_a_customer_gives_feedback_in_the_widget_and_it_is_stored(stack, browser, tmp_path: Path) -> None:
    visit = Visit(browser, stack.config.web_url, tmp_path, viewport={"width": 1280, "height": 860})
    try:
        visit.open_page(order="NW-2001")
        visit.screenshot("widget-page.png")
        visit.page.click("#rate-button")

        visit.bot_says("how satisfied")  # started in context: the page told the bot its touchpoint
        for score in "12345":
            playwright_api.expect(visit.answer_button(score)).to_be_visible()
        visit.click_answer("2")

        complaint = "The courier left the parcel in the rain and my new jacket was ruined. Really disappointing."
        visit.bot_says("what went wrong")
        visit.type_answer(complaint)
        visit.bot_says("differently")

        # A reload keeps the conversation: the same messages, and the bot carries on where it was.
        visit.page.reload()
        playwright_api.expect(visit.page.get_by_text(complaint)).to_be_visible(timeout=BOT_TIMEOUT_MS)
        visit.bot_says("differently")
        probe = "Ring the bell or leave it with a neighbour instead of on the doorstep."
        visit.type_answer(probe)

        visit.bot_says("how easy")
        visit.click_answer("2")
        visit.bot_says("first time")
        visit.click_answer("No")
        visit.bot_says("how many times")
        visit.click_answer("3")
        visit.bot_says("thank you")
        visit.screenshot("widget-conversation.png")

        # The next order's page starts a new survey rather than reopening the finished one.
        visit.open_page(order="NW-2002")
        visit.page.click("#rate-button")
        visit.bot_says("how satisfied")
        playwright_api.expect(visit.page.get_by_text(complaint)).to_have_count(0)
        assert visit.foreign_requests() == []
    finally:
        visit.close()

    response, conversation = stored(stack, visit.customer, order="NW-2001")
    assert response.status == "complete"
    assert (response.score, response.effort, response.contact_count) == (2, 2, 3)
    assert response.text == complaint
    assert response.probe_text == probe
    assert (conversation.touchpoint, conversation.order_id, conversation.channel) == ("delivery", "NW-2001", "web")
    assert response.sentiment_label == "negative"
    assert response.primary_silo == "delivery"


def test_the_widget_works_on_a_phone_with_the_keyboard_alone(stack, browser, tmp_path: Path) -> None:
    visit = Visit(
        browser,
        stack.config.web_url,
        tmp_path,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    try:
        visit.open_page(order="NW-3003")
        for _ in range(12):  # the launcher is reachable by Tab, and says what it does
            visit.page.keyboard.press("Tab")
            if visit.focused()["label"] == "Open the feedback chat":
                break
        else:
            pytest.fail(f"Tab never reached a labelled chat launcher; last focus: {visit.focused()}")
        visit.page.keyboard.press("Enter")

        visit.bot_says("how satisfied")
        chat = visit.page.get_by_role("dialog").bounding_box()
        assert chat is not None and chat["width"] >= 380, "on a phone the open chat should fill the screen"
        answer = visit.answer_button("1")
        playwright_api.expect(answer).to_be_focused()  # focus lands on the first answer
        assert visit.unlabelled_controls() == []
        visit.page.keyboard.press("Tab")
        assert visit.focused()["text"].startswith("2")
        visit.page.keyboard.press("Enter")

        visit.bot_says("what went wrong")
        # The answer buttons went; focus stays in the chat, in the answer box.
        playwright_api.expect(visit.page.locator("#siloscope-widget .rw-new-message")).to_be_focused()
        typed = "Nobody told me the delivery would be two days late."
        visit.page.keyboard.type(typed)
        visit.page.keyboard.press("Enter")
        visit.bot_says("differently")
        visit.screenshot("widget-phone.png")

        visit.page.keyboard.press("Escape")  # closes the chat and gives focus back to the launcher
        playwright_api.expect(visit.page.get_by_role("dialog")).to_have_count(0)
        # The widget moves focus on its next animation frame, so the checks wait for it.
        launcher = visit.page.get_by_role("button", name="Open the feedback chat")
        playwright_api.expect(launcher).to_be_focused()
        assert visit.foreign_requests() == []
    finally:
        visit.close()

    response, conversation = stored(stack, visit.customer, order="NW-3003")
    assert (response.score, response.text) == (2, typed)
    assert (conversation.touchpoint, conversation.order_id) == ("delivery", "NW-3003")


def timed(say: object) -> float:
    """Seconds one REST turn takes: Rasa and the action server answering, nothing else."""
    started = time.perf_counter()
    assert say()  # type: ignore[operator]
    return time.perf_counter() - started


def widget_turns(visit: Visit) -> list[float]:
    """Seconds from each customer message on screen to the last bot message it got on screen."""
    shown = visit.page.evaluate("window.__shown")
    turns, sent = [], None
    for message in shown:
        if message["who"] == "customer":
            sent = message["at"]
        elif sent is not None:
            if turns and turns[-1][0] == sent:
                turns[-1] = (sent, message["at"])
            else:
                turns.append((sent, message["at"]))
    return [(answered - asked) / 1000 for asked, answered in turns]


def test_a_widget_turn_is_as_fast_as_rasa_and_the_send_button_shows(stack, browser, tmp_path: Path) -> None:
    """No artificial typing delay: each turn shows up about as fast as the same turn over REST."""
    visit = Visit(browser, stack.config.web_url, tmp_path, viewport={"width": 1280, "height": 860})
    rest = f"rest-{uuid.uuid4().hex[:8]}"
    try:
        visit.open_page(order="NW-4001")
        visit.page.click("#rate-button")
        visit.bot_says("how satisfied")
        # The send button can be seen before anything is typed (upstream paints it transparent).
        icon = visit.page.locator("#siloscope-widget .rw-send .rw-send-icon")
        playwright_api.expect(icon).to_be_visible()
        assert icon.evaluate("e => getComputedStyle(e).fill") not in ("none", "rgba(0, 0, 0, 0)", "transparent")
        assert visit.page.get_by_role("button", name="Send your answer").is_visible()

        stack.start_survey(rest, "delivery", f"C-REST-{uuid.uuid4().hex[:6]}", order_id="NW-4001")
        rest_turns = [timed(lambda: stack.say(rest, "2"))]
        visit.click_answer("2")
        visit.bot_says("what went wrong")
        rest_turns.append(timed(lambda: stack.say(rest, "The parcel came a week late.")))
        visit.type_answer("The parcel came a week late.")
        visit.bot_says("differently")
        rest_turns.append(timed(lambda: stack.say(rest, "talk to a human")))  # three messages in one turn
        visit.type_answer("talk to a human")
        visit.bot_says("get in touch")
        visit.bot_says("finish the last few questions")
        visit.bot_says("differently")
        # Restart keeps the touchpoint the page gave: the score question about it, no touchpoint question.
        rest_turns.append(timed(lambda: stack.say(rest, "restart")))
        visit.type_answer("restart")
        visit.bot_says("start again")
        visit.bot_says("delivery or installation: how satisfied")
        playwright_api.expect(visit.page.get_by_text("Which part of your experience")).to_have_count(0)

        turns = widget_turns(visit)
        assert len(turns) == 4, visit.page.evaluate("window.__shown")
        # Each widget turn against the same turn over REST just before it (which also pays any first-time
        # cost, such as the first analysis): what the browser may add is the REST time again (socket.io
        # instead of HTTP, rendering) and half a second; rasa-webchat's own delay was 0.8 s per message.
        bounds = [2 * rest_turn + 0.5 for rest_turn in rest_turns]
        slow = [(turn, bound) for turn, bound in zip(turns, bounds, strict=True) if turn >= bound]
        assert not slow, f"widget turns {turns} s against REST turns {rest_turns} s: slower than the bound {slow}"
    finally:
        visit.close()
