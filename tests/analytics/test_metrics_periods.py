"""The statistics and the calendar under the report, checked against published and hand-made values."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from analytics.metrics import MetricSettings, Sums, changes, derive, newcombe, wilson
from analytics.periods import bucket_start, local_period, make_window, period_label, zone
from bot.errors import UsageError
from bot.settings import Settings, SettingsError

Z95 = 1.959964


def test_wilson_matches_newcombe_1998_table() -> None:
    assert wilson(81, 263, Z95) == pytest.approx((0.2553, 0.3662), abs=1e-4)
    assert wilson(0, 10, Z95) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert wilson(10, 10, Z95)[1] == pytest.approx(1.0)


def test_newcombe_difference_matches_published_example() -> None:
    # Newcombe (1998), Statistics in Medicine 17:873, example (a): 56/70 vs 48/80, method 10.
    assert newcombe(56, 70, 48, 80, Z95) == pytest.approx((0.0524, 0.3339), abs=1e-4)


def test_share_change_is_flagged_only_when_significant_and_large_enough() -> None:
    settings = MetricSettings()
    big_now = Sums(n=200, score_n=200, dissatisfied=80, score_sum=600, score_sq=2200)
    big_before = Sums(n=200, score_n=200, dissatisfied=40, score_sum=700, score_sq=2700)
    change = changes(big_now, big_before, settings)["dissatisfied_share"]
    assert change.delta == pytest.approx(0.2) and change.significant and change.direction == "up"
    assert change.low > 0
    small_now = Sums(n=10, score_n=10, dissatisfied=8, score_sum=20, score_sq=50)
    small_before = Sums(n=10, score_n=10, dissatisfied=1, score_sum=40, score_sq=170)
    assert not changes(small_now, small_before, settings)["dissatisfied_share"].significant  # n < min_sample
    same = changes(big_now, big_now, settings)
    assert not any(c.significant for c in same.values())


def test_mean_change_uses_welch_interval_from_sums_of_squares() -> None:
    # now: 100 scores, mean 3.0, variance 1.0 (sum of squares 100·(1·99/100 + 9)); before: mean 3.5, same spread
    now = Sums(n=100, score_n=100, score_sum=300, score_sq=99 + 900)
    before = Sums(n=100, score_n=100, score_sum=350, score_sq=99 + 1225)
    change = changes(now, before, MetricSettings())["mean_score"]
    half = Z95 * (0.01 + 0.01) ** 0.5
    assert change.delta == pytest.approx(-0.5)
    assert (change.low, change.high) == pytest.approx((-0.5 - half, -0.5 + half), abs=1e-6)
    assert change.significant and change.direction == "down"


def test_friction_weights_come_from_settings_and_missing_components_drop_out() -> None:
    settings = Settings.from_mapping({"analytics": {"friction_weights": {"dissatisfied_share": 1.0,
                                                                        "repeat_rate": 0.0}}}).analytics.metrics
    sums = Sums(n=4, score_n=4, dissatisfied=1, effort_n=2, high_effort=2, sentiment_n=0, contact_n=4, repeat=4)
    # dissatisfied 0.25 (w 1.0), high effort 1.0 (w 0.2), negative: no answers, repeat 1.0 (w 0)
    assert derive(sums, settings)["friction_index"] == pytest.approx(100 * (0.25 + 0.2) / 1.2)
    with pytest.raises(SettingsError, match=r"unknown setting\(s\) analytics.friction_weights.happiness"):
        Settings.from_mapping({"analytics": {"friction_weights": {"happiness": 1}}})
    with pytest.raises(ValueError, match="confidence"):
        Settings.from_mapping({"analytics": {"confidence": 95}})


def test_windows_start_at_local_midnight_and_previous_has_same_length() -> None:
    now = datetime(2026, 3, 20, 22, 30, tzinfo=timezone.utc)  # already the 21st in Tokyo
    utc = make_window("7d", None, zone("UTC"), now)
    assert (utc.start_day, utc.end_day, utc.previous_day) == (date(2026, 3, 14), date(2026, 3, 21), date(2026, 3, 7))
    tokyo = make_window("7d", None, zone("Asia/Tokyo"), now)
    assert tokyo.end_day == date(2026, 3, 22) and tokyo.start == datetime(2026, 3, 14, 15, 0)
    months = make_window("1m", "2026-03-30", zone("UTC"), now)
    assert (months.start_day, months.end_day) == (date(2026, 2, 28), date(2026, 3, 31))
    assert make_window("2026-03-01", None, zone("UTC"), now).days == 20


@pytest.mark.parametrize("since", ["banana", "-3d", "0w", "2026-13-01", "3y"])
def test_bad_periods_are_refused(since: str) -> None:
    with pytest.raises(UsageError):
        make_window(since, None, zone("UTC"))


def test_until_before_since_is_refused() -> None:
    with pytest.raises(UsageError, match="not before"):
        make_window("2026-03-10", "2026-03-01", zone("UTC"))


def test_local_periods_across_daylight_saving() -> None:
    berlin = zone("Europe/Berlin")
    # Berlin moves to summer time at 01:00 UTC on Sunday 29 March 2026
    assert local_period(datetime(2026, 3, 28, 22, 30), berlin, "day") == date(2026, 3, 28)  # 23:30 CET
    assert local_period(datetime(2026, 3, 28, 23, 0), berlin, "day") == date(2026, 3, 29)  # 00:00 CET
    assert local_period(datetime(2026, 3, 29, 22, 0), berlin, "day") == date(2026, 3, 30)  # 00:00 CEST
    assert local_period(datetime(2026, 3, 29, 21, 59), berlin, "day") == date(2026, 3, 29)
    # ISO weeks start on Monday; Sunday 23:30 UTC is already Monday in Berlin
    assert local_period(datetime(2026, 3, 22, 23, 30), berlin, "week") == date(2026, 3, 23)
    assert local_period(datetime(2026, 3, 22, 23, 30), zone("UTC"), "week") == date(2026, 3, 16)
    assert local_period(datetime(2026, 3, 31, 22, 30), berlin, "month") == date(2026, 4, 1)
    assert period_label(date(2026, 3, 23), "week") == "2026-W13"


def test_quarter_hour_buckets_for_half_hour_zones() -> None:
    kolkata = zone("Asia/Kolkata")  # UTC+5:30: local midnight is 18:30 UTC
    window = make_window("7d", None, kolkata, datetime(2026, 3, 20, 12, 0, tzinfo=timezone.utc))
    assert window.start == datetime(2026, 3, 13, 18, 30)
    assert bucket_start("2026-03-13 18:30") == datetime(2026, 3, 13, 18, 30)
    assert local_period(bucket_start("2026-03-13 18:15"), kolkata, "day") == date(2026, 3, 13)
    assert local_period(bucket_start("2026-03-13 18:30"), kolkata, "day") == date(2026, 3, 14)


def test_bucket_size_follows_the_zone() -> None:
    from analytics.periods import granularity

    now = datetime(2026, 1, 20, 12, 0, tzinfo=timezone.utc)
    assert granularity(make_window("30d", None, zone("UTC"), now)) == "day"
    assert granularity(make_window("30d", None, zone("Europe/London"), now)) == "day"  # winter: UTC+0
    summer = datetime(2026, 7, 20, 12, 0, tzinfo=timezone.utc)
    assert granularity(make_window("30d", None, zone("Europe/London"), summer)) == "hour"
    assert granularity(make_window("30d", None, zone("Europe/Berlin"), now)) == "hour"
    assert granularity(make_window("30d", None, zone("Asia/Kolkata"), now)) == "quarter"
    assert bucket_start("2026-03-13") == datetime(2026, 3, 13)
