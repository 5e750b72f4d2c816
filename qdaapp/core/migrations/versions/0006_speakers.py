"""Speakers: the role of each speaker name in the project (interviewer or participant).

A row is the user's word on one speaker name, for the whole project; names
without a row get a guessed role (see ``core/speakers.py``).

Revision ID: 0006
Revises: 0005
"""

from alembic import op
import sqlalchemy as sa

from qdaapp.core.history import trigger_sql

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

COLUMNS = ['id', 'name', 'role', 'updated_at', 'updated_by']


def upgrade() -> None:
    op.create_table('speakers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('updated_at', sa.String(length=40), nullable=False),
    sa.Column('updated_by', sa.String(length=255), nullable=False),
    sa.CheckConstraint("role IN ('interviewer', 'participant')", name='ck_speaker_role'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name'),
    )
    if op.get_bind().dialect.name == "sqlite":
        for statement in trigger_sql('speakers', COLUMNS):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS undo_speakers_{suffix}")
    op.drop_table('speakers')
