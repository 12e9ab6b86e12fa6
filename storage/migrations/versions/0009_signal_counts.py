"""neighbourhood signals: counts per day, area and measure (issue 22)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signal_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("measure", sa.String(length=96), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signal_count")),
        sa.UniqueConstraint(
            "day", "area", "measure", name=op.f("uq_signal_count_day_area_measure")
        ),
    )
    with op.batch_alter_table("signal_count", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signal_count_day"), ["day"], unique=False)


def downgrade() -> None:
    op.drop_table("signal_count")
