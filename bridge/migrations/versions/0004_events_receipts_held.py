"""edits, deletions, statuses and receipts; held replies; conversations.customer_id dropped

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sent_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.String(length=128), nullable=False),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['deliveries.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('channel', 'account_id', 'message_id')
    )
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reengaged_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_column('customer_id')

    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('read_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_column('read_at')
        batch_op.drop_column('delivered_at')
        batch_op.drop_column('held_at')

    with op.batch_alter_table('conversations', schema=None) as batch_op:
        # Written as the thread id until 0004: restore it from there.
        batch_op.add_column(sa.Column('customer_id', sa.String(length=128), nullable=False,
                                      server_default=''))
        batch_op.drop_column('reengaged_at')
    op.execute("UPDATE conversations SET customer_id = thread_id")

    op.drop_table('sent_messages')
