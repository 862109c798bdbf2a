"""Database triggers that freeze the pre-registration (expected effects) once an action is agreed.

The model and its QuerySet refuse too (models.ExpectedEffect); these catch raw SQL. PostgreSQL refuses
INSERT, UPDATE and DELETE of expected effects of an agreed (or later) action. SQLite refuses INSERT and
UPDATE; DELETE is left to the model, because SQLite's test flush deletes rows (as in core 0002).
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

FROZEN = "('afgesproken', 'loopt', 'geevalueerd', 'gestopt')"
SQLITE = [
    f"""CREATE TRIGGER impact_effect_frozen_insert BEFORE INSERT ON impact_expectedeffect
       WHEN (SELECT status FROM impact_action WHERE id = NEW.action_id) IN {FROZEN}
       BEGIN SELECT RAISE(ABORT, 'expected effect is frozen after agreement'); END""",
    f"""CREATE TRIGGER impact_effect_frozen_update BEFORE UPDATE ON impact_expectedeffect
       WHEN (SELECT status FROM impact_action WHERE id = OLD.action_id) IN {FROZEN}
         OR (SELECT status FROM impact_action WHERE id = NEW.action_id) IN {FROZEN}
       BEGIN SELECT RAISE(ABORT, 'expected effect is frozen after agreement'); END""",
]
POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION impact_effect_frozen() RETURNS trigger AS $$
       BEGIN
         IF (TG_OP <> 'INSERT' AND (SELECT status FROM impact_action WHERE id = OLD.action_id) IN {FROZEN})
            OR (TG_OP <> 'DELETE' AND (SELECT status FROM impact_action WHERE id = NEW.action_id) IN {FROZEN}) THEN
           RAISE EXCEPTION 'expected effect is frozen after agreement';
         END IF;
         IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER impact_effect_frozen BEFORE INSERT OR UPDATE OR DELETE ON impact_expectedeffect
       FOR EACH ROW EXECUTE FUNCTION impact_effect_frozen()""",
]


def create_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def drop_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS impact_effect_frozen_insert")
        schema_editor.execute("DROP TRIGGER IF EXISTS impact_effect_frozen_update")
    elif vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS impact_effect_frozen ON impact_expectedeffect")
        schema_editor.execute("DROP FUNCTION IF EXISTS impact_effect_frozen()")


class Migration(migrations.Migration):
    dependencies = [("impact", "0001_initial")]
    operations = [migrations.RunPython(create_triggers, drop_triggers)]
