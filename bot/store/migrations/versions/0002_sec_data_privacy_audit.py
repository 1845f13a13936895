"""privacy audit: who erased or purged customers' data, when, how much

Revision ID: 0002_sec_data
Revises: 0001
Create Date: 2026-12-01 21:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_sec_data"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "privacy_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("privacy_audit", schema=None) as batch_op:
        batch_op.create_index("ix_privacy_audit_at", ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("privacy_audit", schema=None) as batch_op:
        batch_op.drop_index("ix_privacy_audit_at")
    op.drop_table("privacy_audit")
