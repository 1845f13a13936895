"""Reading and preparing a test's database the way a report reads it, so each test file need not rewrite it."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.store.db import engine_for, make_engine, migrate, session_factory
from bot.store.models import Conversation, Customer, FeedbackResponse


def migrated(url: str) -> str:
    """Create the database at ``url`` as ``siloscope migrate`` does (servers never create one); returns ``url``."""
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    return url


def db_session(url: str) -> Session:
    """A session on the database at ``url`` (use as ``with db_session(url) as session:``)."""
    return session_factory(engine_for(url))()


def count(url: str, model: type) -> int:
    """How many rows of ``model`` the database holds."""
    with db_session(url) as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def stored_responses(url: str) -> list[FeedbackResponse]:
    """Every feedback response in the order stored, with its attributions loaded (readable after the session)."""
    with db_session(url) as s:
        rows = list(s.execute(select(FeedbackResponse).order_by(FeedbackResponse.id)).scalars())
        for row in rows:
            _ = list(row.attributions)
        return rows


def only_response(url: str) -> FeedbackResponse:
    """The one feedback response stored (fails when there is none or more than one)."""
    responses = stored_responses(url)
    assert len(responses) == 1, f"{len(responses)} responses stored, expected exactly one"
    return responses[0]


def stored_conversations(url: str) -> list[Conversation]:
    with db_session(url) as s:
        return list(s.execute(select(Conversation).order_by(Conversation.id)).scalars())


def stored_customer(url: str, ref: str) -> Customer | None:
    with db_session(url) as s:
        return s.execute(select(Customer).where(Customer.ref == ref)).scalar_one_or_none()
