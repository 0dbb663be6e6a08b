"""grid boundaries and household locations (PostGIS / SpatiaLite)

Revision ID: a19e0c3d7b21
Revises: 747a7103db60
Create Date: 2026-12-02 17:00:00

"""
from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry

from healthgrid.geo.spatial import SRID, ensure_spatial_metadata

# revision identifiers, used by Alembic.
revision = 'a19e0c3d7b21'
down_revision = '747a7103db60'
branch_labels = None
depends_on = None


def upgrade():
    ensure_spatial_metadata(op.get_bind())
    # GeoAlchemy2's table events add the geometry columns the engine's way
    # (AddGeometryColumn on SpatiaLite) and their spatial indexes (GiST / R*Tree).
    op.create_table('grid_boundary',
    sa.Column('grid_id', sa.Integer(), nullable=False),
    sa.Column('geom', Geometry(geometry_type='MULTIPOLYGON', srid=SRID, spatial_index=True),
              nullable=False),
    sa.Column('outline', sa.Text(), nullable=False),
    sa.Column('area_m2', sa.Double(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['grid_id'], ['grid.id'], name=op.f('fk_grid_boundary_grid_id_grid'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_grid_boundary_updated_by_id_user')),
    sa.PrimaryKeyConstraint('grid_id', name=op.f('pk_grid_boundary'))
    )
    op.create_table('household_location',
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=SRID, spatial_index=True),
              nullable=False),
    sa.Column('lng', sa.Double(), nullable=False),
    sa.Column('lat', sa.Double(), nullable=False),
    sa.Column('located_grid_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('located_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_household_location_household_id_household'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['located_grid_id'], ['grid.id'], name=op.f('fk_household_location_located_grid_id_grid')),
    sa.PrimaryKeyConstraint('household_id', name=op.f('pk_household_location'))
    )
    with op.batch_alter_table('household_location', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_location_located_grid_id'), ['located_grid_id'], unique=False)


def downgrade():
    with op.batch_alter_table('household_location', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_location_located_grid_id'))
    op.drop_table('household_location')
    op.drop_table('grid_boundary')
