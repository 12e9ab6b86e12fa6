"""outbox: an index on (resident_id, status, id), for one chat's pending rows (issue 21)

The web chat's poll takes the chat's pending rows; with only the index on resident_id that
read every row ever sent to the chat, so a poll cost more the longer the conversation.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 20:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_message_resident_pending", ["resident_id", "status", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_resident_pending")
