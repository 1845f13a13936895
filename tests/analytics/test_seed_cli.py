"""``siloscope seed`` through the CLI: realistic spread, consistent rows, a full report straight after."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from bot.cli import main
from bot.store.db import engine_for
from bot.store.models import Attribution, Conversation, FeedbackResponse, Handoff
from bot.taxonomy import load_taxonomy


def test_seed_spreads_feedback_over_silos_touchpoints_channels_and_days(tmp_database, capsys) -> None:
    assert main(["seed", "--rows", "3000", "--days", "30"]) == 0
    assert "Seeded 3,000 responses" in capsys.readouterr().out
    engine = engine_for(tmp_database)
    taxonomy = load_taxonomy()
    r = FeedbackResponse.__table__.c
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(FeedbackResponse)).scalar() == 3000
        assert connection.execute(select(func.count()).select_from(Conversation)).scalar() == 3000
        silos = set(connection.execute(select(r.primary_silo).distinct()).scalars())
        assert set(taxonomy.silos) | {"unattributed"} == silos
        assert len(set(connection.execute(select(r.channel).distinct()).scalars())) >= 4
        owners = connection.execute(select(r.touchpoint, r.touchpoint_silo).distinct()).all()
        assert all(taxonomy.owner(tp) == silo for tp, silo in owners)
        oldest, newest = connection.execute(select(func.min(r.created_at), func.max(r.created_at))).one()
        today = datetime.now(timezone.utc).replace(tzinfo=None)
        assert today - oldest <= timedelta(days=31) and newest <= today  # nothing from the future
        assert (newest - oldest).days >= 25
        # complaints blaming two silos: two attribution ranks and a hand-off
        handoffs = connection.execute(select(func.count()).select_from(Handoff)).scalar()
        second = connection.execute(select(func.count()).where(Attribution.__table__.c.rank == 2)).scalar()
        assert 20 < handoffs == second
        # texts only where attributed; scores and dissatisfaction agree
        assert connection.execute(select(func.count()).where(r.text.is_(None),
                                                             r.primary_silo != "unattributed")).scalar() == 0
        low, high = connection.execute(select(func.min(r.score), func.max(r.score))).one()
        assert (low, high) == (1, 5)
    assert main(["report", "--since", "30d"]) == 0
    table = capsys.readouterr().out
    assert "delivery" in table and "Recurring complaint themes" in table and "Top hand-offs" in table


def test_seed_adds_to_existing_data_and_refuses_bad_sizes(tmp_database, capsys) -> None:
    assert main(["seed", "--rows", "50", "--days", "5"]) == 0
    assert main(["seed", "--rows", "50", "--days", "5"]) == 0
    with engine_for(tmp_database).connect() as connection:
        assert connection.execute(select(func.count()).select_from(FeedbackResponse)).scalar() == 100
    capsys.readouterr()
    assert main(["seed", "--rows", "0"]) == 2
    assert "--rows must be between" in capsys.readouterr().err
    assert main(["seed", "--days", "0"]) == 2


def test_if_empty_seeds_a_new_store_once(tmp_database, capsys) -> None:
    assert main(["seed", "--rows", "40", "--if-empty"]) == 0
    assert main(["seed", "--rows", "40", "--if-empty"]) == 0
    assert "already has feedback" in capsys.readouterr().out
    with engine_for(tmp_database).connect() as connection:
        assert connection.execute(select(func.count()).select_from(FeedbackResponse)).scalar() == 40


def test_seeded_customers_walk_the_departments_and_come_back(tmp_database, capsys) -> None:
    """The demo's stories: repeat purchases, departments that hurt less the second time, a failing hand-off."""
    from analytics.journey_stats import journey_stats

    assert main(["seed", "--rows", "12000", "--days", "90"]) == 0
    stats = journey_stats(engine_for(tmp_database), 30)
    assert stats.cycles > stats.customers * 1.1  # repeat purchases
    change = {c.department: c.change for c in stats.comparisons}
    assert change["delivery"] > 0.2 and change["delivery"] > change["finance"] + 0.1
    assert change["order_management"] > change["marketing"]
    top = [(d.from_department, d.to_department) for d in stats.drops[:3]]
    assert ("delivery", "customer_service") in top and next(
        d.mean_change for d in stats.drops if (d.from_department, d.to_department) == top[top.index(
            ("delivery", "customer_service"))]) < -0.2
    assert stats.repeat_contact.get("customer_service", 0) > 0  # support failed, they came back about the order
    assert sum(o.stopped_answering for o in stats.drop_offs) > 0  # unanswered touchpoints are stored as events


def test_the_same_seed_writes_the_same_journeys(tmp_path, monkeypatch, capsys) -> None:
    from bot.settings import get_settings
    from tests.support import migrated

    walks = []
    for name in ("a", "b"):
        url = migrated(f"sqlite:///{tmp_path / name}.db")
        monkeypatch.setenv("DATABASE_URL", url)
        get_settings.cache_clear()
        assert main(["seed", "--rows", "1500", "--seed", "11"]) == 0
        c, r = Conversation.__table__.c, FeedbackResponse.__table__.c
        with engine_for(url).connect() as connection:
            rows = connection.execute(select(c.order_id, r.touchpoint, r.score, r.primary_silo)
                                      .join_from(FeedbackResponse, Conversation).order_by(r.id)).all()
        walks.append([(order.rsplit("-", 1)[1], *rest) for order, *rest in rows])
    get_settings.cache_clear()
    assert walks[0] == walks[1] and len({w[0] for w in walks[0]}) < 1500  # orders with several touchpoints
