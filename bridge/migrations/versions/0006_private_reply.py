"""public to private: conversations.private_state and moved_to_id

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('private_state', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('moved_to_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_conversations_moved_to_id', 'conversations',
                                    ['moved_to_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_constraint('fk_conversations_moved_to_id', type_='foreignkey')
        batch_op.drop_column('moved_to_id')
        batch_op.drop_column('private_state')
