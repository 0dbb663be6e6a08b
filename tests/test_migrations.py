"""The migrations build exactly the models' schema, in one line of history."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from healthgrid.extensions import db
from healthgrid.geo.spatial import include_object


def test_migrations_produce_the_models_schema(app):
    # The session fixture built the schema with `upgrade()` alone. The spatial engine's own
    # catalogue (PostGIS's spatial_ref_sys, SpatiaLite's metadata tables) is not ours.
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_object})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_migration_history_has_a_single_head(app):
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1


def test_database_is_at_the_head_revision(app):
    with app.app_context(), db.engine.connect() as conn:
        config = app.extensions["migrate"].migrate.get_config()
        head = ScriptDirectory.from_config(config).get_current_head()
        assert MigrationContext.configure(conn).get_current_revision() == head


