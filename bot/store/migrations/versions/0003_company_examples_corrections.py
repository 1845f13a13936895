"""company examples and silo corrections: the company's own labelled sentences, and managers' corrections

Revision ID: 0003_company_examples
Revises: 0002_sec_data
Create Date: 2026-12-02 01:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_company_examples"
down_revision = "0002_sec_data"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "company_examples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("silo", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=True),
        sa.Column("added_by", sa.String(length=200), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["response_id"], ["feedback_responses.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("text_hash", "silo", name="uq_company_examples_text_silo"),
    )
    op.create_table(
        "silo_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("from_silo", sa.String(length=64), nullable=True),
        sa.Column("to_silo", sa.String(length=64), nullable=False),
        sa.Column("corrected_by", sa.String(length=200), nullable=False),
        sa.Column("corrected_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["response_id"], ["feedback_responses.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("silo_corrections", schema=None) as batch_op:
        batch_op.create_index("ix_silo_corrections_response", ["response_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("silo_corrections", schema=None) as batch_op:
        batch_op.drop_index("ix_silo_corrections_response")
    op.drop_table("silo_corrections")
    op.drop_table("company_examples")
