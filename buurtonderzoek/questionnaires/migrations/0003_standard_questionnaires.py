"""Publish the standard questionnaires (buurtonderzoek, communitymonitor).

Uses the loader from code: a fresh database gets the current standard schemas as version 1.
When a standard schema changes later, add a migration that calls the loader again (or run
`manage.py load_standard_questionnaires`); it publishes the change as the next version.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def load(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from buurtonderzoek.questionnaires.standard import load_standard_questionnaires

    load_standard_questionnaires(apps)


class Migration(migrations.Migration):
    dependencies = [("questionnaires", "0002_published_versions_immutable")]
    # Published versions are immutable: going back leaves them in place.
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
