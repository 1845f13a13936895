"""The ``cases`` section of siloscope.yml: shipped values, defaults, and bad values refused in one line."""

from __future__ import annotations

import pytest

from bot.settings import PROJECT_ROOT, Settings, SettingsError, load_settings


def test_the_shipped_file_sets_the_case_link_owner_and_due_hours() -> None:
    cases = load_settings({"SILOSCOPE_CONFIG": str(PROJECT_ROOT / "siloscope.yml")}).cases
    assert cases.link(7) == "http://localhost:8000/dashboard/cases/7"
    assert cases.default_owner == "customer_service"
    assert (cases.due_hours_asked_for_person, cases.due_hours_alert_thresholds) == (4, 48)


def test_the_case_link_follows_the_web_port_by_default() -> None:
    assert Settings.from_mapping({"ports": {"web": 9100}}).cases.link(3) == "http://localhost:9100/dashboard/cases/3"


@pytest.mark.parametrize(("raw", "message"), [
    ({"case_url": "http://x/cases"}, "cases.case_url must contain {id}"),
    ({"due_hours": {"asked_for_person": 0}}, "cases.due_hours.asked_for_person must be a number >= 0.01, not 0"),
    ({"due_hours": {"urgent": 1}}, "unknown setting(s) cases.due_hours.urgent"),
    ({"default_owner": "Customer Service"}, "cases.default_owner must be a silo name"),
])
def test_a_bad_case_setting_is_refused_in_one_line(raw: dict, message: str) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_mapping({"cases": raw})
    assert message in str(refused.value) and "\n" not in str(refused.value)
