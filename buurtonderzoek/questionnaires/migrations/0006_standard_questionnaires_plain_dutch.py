"""Publish the standard questionnaires with their plain-Dutch (B1) wording as new versions (docs/taal.md).

The canvass asks "Hoeveel mensen zaten erin?" instead of "Aantal inzittenden", and no longer says
"vluchtrichting", "gezichtsbeharing", "hoofddeksel", "terugkoppeling" or "afloopbericht"; the Communitymonitor explains "saamhorigheid" in a help text (its CBS wording stays, so
its figures still compare with the Veiligheidsmonitor). The loader publishes only what differs from the
newest published version; old answers and running waves keep their version.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def load(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from buurtonderzoek.questionnaires.standard import load_standard_questionnaires

    load_standard_questionnaires(apps)


class Migration(migrations.Migration):
    dependencies = [("questionnaires", "0005_standard_monitor_vm2021")]
    # Published versions are immutable: going back leaves them in place.
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
