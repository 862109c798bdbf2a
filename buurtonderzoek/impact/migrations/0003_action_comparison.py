"""Adds Action.comparison (part of the pre-registration).

SQLite rebuilds a table to add a column; the frozen-effect triggers of 0002 name impact_action, and
SQLite refuses to rename the rebuilt table while a trigger refers to it. So the triggers are dropped
first and created again after; any later change to impact_action must do the same.
"""

import importlib

from django.db import migrations, models

frozen = importlib.import_module("buurtonderzoek.impact.migrations.0002_expected_effect_frozen_triggers")


class Migration(migrations.Migration):

    dependencies = [
        ('impact', '0002_expected_effect_frozen_triggers'),
    ]

    operations = [
        migrations.RunPython(frozen.drop_triggers, frozen.create_triggers),
        migrations.AddField(
            model_name='action',
            name='comparison',
            field=models.CharField(choices=[('gemeente', 'de andere buurten in de gemeente'), ('matched', 'vergelijkbare buurten (dichtst bij de nulmeting)')], default='gemeente', max_length=10, verbose_name='vergelijken met'),
        ),
        migrations.RunPython(frozen.create_triggers, frozen.drop_triggers),
    ]
