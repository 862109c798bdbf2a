"""PrintJob moved to the jobs app (one mechanism for every background file). The old rows are short-lived
downloads: their files are deleted from storage (they may hold names) and the table is dropped."""

from django.db import migrations


def delete_files(apps, schema_editor):  # type: ignore[no-untyped-def]
    from django.core.files.storage import default_storage

    for name in apps.get_model("dashboards", "PrintJob").objects.exclude(file="").values_list("file", flat=True):
        default_storage.delete(name)


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0004_arearefresh_visits_recounted_at_and_more"),
    ]

    operations = [
        migrations.RunPython(delete_files, migrations.RunPython.noop),
        migrations.DeleteModel(name="PrintJob"),
    ]
