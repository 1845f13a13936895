"""The content policy in a real browser (Debian's chromium): the widget and the dashboard work under it.

A policy that blocked the vendored widget (an ``eval``, an inline script, its socket.io
connection to the Rasa port) would show as a ``securitypolicyviolation`` event; none may occur
while a customer starts a chat on the demo page or a manager opens the dashboard. An injected
inline script, on the other hand, must be blocked: that is what the policy is for.
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright import sync_api as playwright_api

pytestmark = pytest.mark.e2e

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def test_the_widget_chats_and_the_dashboard_renders_with_no_policy_violation(stack, browser) -> None:
    context = browser.new_context()
    context.add_init_script(RECORD_VIOLATIONS)
    try:
        page = context.new_page()
        page.goto(f"{stack.config.web_url}/?customer=C-CSP-{uuid.uuid4().hex[:6]}&order=NW-3001")
        page.locator("#rate-button:enabled").wait_for(timeout=60_000)
        page.click("#rate-button")
        greeting = page.locator(".rw-response").filter(has_text=re.compile("how satisfied", re.IGNORECASE))
        playwright_api.expect(greeting.last).to_be_visible(timeout=60_000)  # socket.io reached Rasa
        assert page.evaluate("window.__violations") == []

        token = stack.config.env["SILOSCOPE_DASHBOARD_TOKEN"]
        page.goto(f"{stack.config.web_url}/dashboard?token={token}")
        assert token not in page.url
        playwright_api.expect(page.locator("form.filters")).to_be_visible()
        assert page.evaluate("window.__violations") == []

        injected = page.evaluate("""() => new Promise(resolve => {
            const s = document.createElement('script');
            s.textContent = 'window.__ran = true';
            document.body.appendChild(s);
            setTimeout(() => resolve([window.__ran === true, window.__violations.length]), 200);
        })""")
        assert injected == [False, 1]
    finally:
        context.close()
