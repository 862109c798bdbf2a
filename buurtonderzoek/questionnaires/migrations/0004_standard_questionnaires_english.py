"""Publish the standard questionnaires again, now with English texts (version 2 on existing installations).

The loader publishes a standard schema only when it differs from the newest published version, so
a fresh database (where 0003 already loaded the current schemas) gets nothing new here. Answers
given to version 1 keep pointing at version 1.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def load(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from buurtonderzoek.questionnaires.standard import load_standard_questionnaires

    load_standard_questionnaires(apps)


class Migration(migrations.Migration):
    dependencies = [("questionnaires", "0003_standard_questionnaires")]
    # Published versions are immutable: going back leaves them in place.
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
