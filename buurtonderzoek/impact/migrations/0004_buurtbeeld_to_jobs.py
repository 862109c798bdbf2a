"""The buurtbeeld PDF moved to the jobs app (one mechanism for every background file). The old rows are
short-lived downloads: their files are deleted from storage and the table is dropped."""

from django.db import migrations


def delete_files(apps, schema_editor):  # type: ignore[no-untyped-def]
    from django.core.files.storage import default_storage

    for name in apps.get_model("impact", "Buurtbeeld").objects.exclude(pdf="").values_list("pdf", flat=True):
        default_storage.delete(name)


class Migration(migrations.Migration):
    dependencies = [
        ("impact", "0003_action_comparison"),
    ]

    operations = [
        migrations.RunPython(delete_files, migrations.RunPython.noop),
        migrations.DeleteModel(
            name="Buurtbeeld",
        ),
    ]
