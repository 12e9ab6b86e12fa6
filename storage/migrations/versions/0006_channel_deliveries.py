"""outbox: the channel's id for a sent message and its delivery state (WhatsApp, issue 19)

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-06 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel_message_id", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("delivery", sa.String(length=16), nullable=True))
        batch_op.create_index(
            "ix_outbox_message_channel_message_id", ["channel_message_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_channel_message_id")
        batch_op.drop_column("delivery")
        batch_op.drop_column("channel_message_id")
