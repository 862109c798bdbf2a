"""ReportJob moved to the jobs app (one mechanism for every background file). The old rows are short-lived
downloads: their files are deleted from storage (they may hold names) and the table is dropped."""

from django.db import migrations


def delete_files(apps, schema_editor):  # type: ignore[no-untyped-def]
    from django.core.files.storage import default_storage

    for name in apps.get_model("monitor", "ReportJob").objects.exclude(file="").values_list("file", flat=True):
        default_storage.delete(name)


class Migration(migrations.Migration):
    dependencies = [
        ("monitor", "0005_weighting_cache"),
    ]

    operations = [
        migrations.RunPython(delete_files, migrations.RunPython.noop),
        migrations.DeleteModel(name="ReportJob"),
    ]
