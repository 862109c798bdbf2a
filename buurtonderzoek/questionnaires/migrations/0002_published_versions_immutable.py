"""Database triggers that freeze published questionnaire versions, also for raw SQL.

Only the columns that give stored answers their meaning are guarded (schema, number,
questionnaire, status): clearing `created_by` when an account is erased must still work.
Deleting is refused by the model, its QuerySet and the PROTECT foreign keys of answers.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

COLUMNS = "schema, number, questionnaire_id, status"
SQLITE = [
    f"""CREATE TRIGGER questionnaires_version_frozen BEFORE UPDATE OF {COLUMNS}
       ON questionnaires_questionnaireversion WHEN OLD.status = 'published'
       BEGIN SELECT RAISE(ABORT, 'published questionnaire versions are immutable'); END""",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION questionnaires_version_frozen() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'published questionnaire versions are immutable'; END; $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER questionnaires_version_frozen BEFORE UPDATE OF {COLUMNS}
       ON questionnaires_questionnaireversion FOR EACH ROW WHEN (OLD.status = 'published')
       EXECUTE FUNCTION questionnaires_version_frozen()""",
]


def create_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def drop_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS questionnaires_version_frozen")
    elif vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS questionnaires_version_frozen ON questionnaires_questionnaireversion"
        )
        schema_editor.execute("DROP FUNCTION IF EXISTS questionnaires_version_frozen()")


class Migration(migrations.Migration):
    dependencies = [("questionnaires", "0001_initial")]
    operations = [migrations.RunPython(create_triggers, drop_triggers)]
