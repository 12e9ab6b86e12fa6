"""dashboard users: the display name residents see

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dashboard_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("display_name", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dashboard_user", schema=None) as batch_op:
        batch_op.drop_column("display_name")
