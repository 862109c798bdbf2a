"""Publish the Communitymonitor with the CBS Veiligheidsmonitor 2021+ definitions as a new version.

The new version asks the six social cohesion statements of the VM from 2021 on (indicator
`cohesion_vm2021`), says the questionnaire is for persons of 15 and older, and ends with two optional
questions (age group, sex) for the weighting to CBS population totals. The loader publishes only
when the schema in code differs from the newest published version: a fresh database (where 0003
already loaded the current schemas) gets nothing new. Old answers and running waves keep their
version, and with it their definitions.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def load(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from buurtonderzoek.questionnaires.standard import load_standard_questionnaires

    load_standard_questionnaires(apps)


class Migration(migrations.Migration):
    dependencies = [("questionnaires", "0004_standard_questionnaires_english")]
    # Published versions are immutable: going back leaves them in place.
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
