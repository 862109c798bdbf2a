"""Safety-pulse answers get their group and block positions stored (pulse_blocks.py), instead of deriving
them at read time. Existing answers are placed exactly as the read-time rule placed them (group
canvass x buurt x wave as they are now, id order), so no figure changes by this migration."""

import django.db.models.deletion
from django.db import migrations, models

BATCH = 2000


def _has_value(value):  # type: ignore[no-untyped-def]
    return not isinstance(value, bool) and isinstance(value, int | float)


def place_existing(apps, schema_editor):  # type: ignore[no-untyped-def]
    Response = apps.get_model("monitor", "Response")
    PulseGroup = apps.get_model("monitor", "PulseGroup")
    groups = {}
    changed = []
    pulse = Response.objects.filter(source="pulse").order_by("pk")
    for response in pulse.only("pk", "canvass_id", "buurt_id", "wave_id", "scores").iterator(chunk_size=BATCH):
        parts = (response.canvass_id, response.buurt_id, response.wave_id)
        key = ":".join("-" if part is None else str(part) for part in parts)
        group = groups.get(key)
        if group is None:
            group = groups[key] = PulseGroup.objects.create(
                key=key, canvass_key=parts[0], buurt_id=parts[1], wave_id=parts[2]
            )
        group.given += 1
        response.pulse_group_id, response.pulse_position = group.pk, group.given
        response.pulse_positions = {}
        for indicator in sorted(k for k, v in (response.scores or {}).items() if _has_value(v)):
            group.given_per_indicator[indicator] = group.given_per_indicator.get(indicator, 0) + 1
            response.pulse_positions[indicator] = group.given_per_indicator[indicator]
        changed.append(response)
        if len(changed) >= BATCH:
            Response.objects.bulk_update(changed, ["pulse_group", "pulse_position", "pulse_positions"])
            changed = []
    Response.objects.bulk_update(changed, ["pulse_group", "pulse_position", "pulse_positions"])
    for group in groups.values():
        group.save(update_fields=["given", "given_per_indicator"])


class Migration(migrations.Migration):

    dependencies = [
        ('canvass', '0006_bell_panel_order_existing_routes'),
        ('monitor', '0006_delete_reportjob'),
        ('places', '0004_buurt_population'),
        ('questionnaires', '0005_standard_monitor_vm2021'),
    ]

    operations = [
        migrations.AddField(
            model_name='response',
            name='pulse_position',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='response',
            name='pulse_positions',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.CreateModel(
            name='PulseGroup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=64, unique=True)),
                ('canvass_key', models.PositiveBigIntegerField(blank=True, null=True)),
                ('given', models.PositiveIntegerField(default=0)),
                ('given_per_indicator', models.JSONField(blank=True, default=dict)),
                ('buurt', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='places.buurt')),
                ('wave', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='monitor.wave')),
            ],
            options={
                'verbose_name': 'groep veiligheidspols',
                'verbose_name_plural': 'groepen veiligheidspols',
            },
        ),
        migrations.AddField(
            model_name='response',
            name='pulse_group',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='answers', to='monitor.pulsegroup'),
        ),
        migrations.RunPython(place_existing, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='response',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('pulse_group__isnull', False), ('pulse_position__isnull', False), ('source', 'pulse')), models.Q(models.Q(('source', 'pulse'), _negated=True), ('pulse_group__isnull', True), ('pulse_position__isnull', True)), _connector='OR'), name='monitor_response_pulse_placed'),
        ),
    ]
