"""responses: the optional NPS answer (0-10, asked only with conversation.ask_nps)

Revision ID: 0005_response_nps
Revises: 0004_cases
Create Date: 2026-12-02 05:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_response_nps"
down_revision = "0004_cases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN (SQLite and PostgreSQL both have it): no table rebuild on millions of responses
    op.add_column("feedback_responses", sa.Column("nps", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feedback_responses") as batch:  # SQLite drops a column by rebuilding the table
        batch.drop_column("nps")
