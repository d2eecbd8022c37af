"""published entries keep their search key, badges, units' coverage by group and ranks within communes; publications their totals

Revision ID: i16_boards01
Revises: i16_home
Create Date: 2026-12-10 08:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'i16_boards01'
down_revision = 'i16_home'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totals', sa.JSON(), nullable=True))
    with op.batch_alter_table('published_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_key', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('badges', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('by_group', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('commune_rank', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('commune_movement', sa.Integer(), nullable=True))
        batch_op.create_index('ix_published_entries_search',
                              ['publication_id', 'board', 'bracket', 'search_key', 'rank'], unique=False)


def downgrade():
    with op.batch_alter_table('published_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_published_entries_search')
        batch_op.drop_column('commune_movement')
        batch_op.drop_column('commune_rank')
        batch_op.drop_column('by_group')
        batch_op.drop_column('badges')
        batch_op.drop_column('search_key')
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.drop_column('totals')
