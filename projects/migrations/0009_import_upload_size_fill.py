"""The size of each stored upload, for the per-user quota (projects.uploads): filled from the
files uploaded before the column existed."""

from django.db import migrations
from django.db.models.functions import Length


def fill_file_size(apps, schema_editor):
    ImportBatch = apps.get_model("projects", "ImportBatch")
    ImportBatch.objects.filter(content__isnull=False).update(file_size=Length("content"))


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0008_import_upload_retention"),
    ]

    operations = [
        migrations.RunPython(fill_file_size, migrations.RunPython.noop, elidable=True),
    ]
