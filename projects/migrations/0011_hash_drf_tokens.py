"""DRF's authtoken tokens, kept in clear in authtoken_token, become django-rest-knox tokens of which
only the digest is stored, expiring API_TOKEN_TTL_DAYS from now: clients keep working with the key
they have (`Authorization: Token <key>`). Then authtoken_token is dropped and authtoken's migrations
are forgotten, as `migrate authtoken zero` would have done had the app still been installed: no
token in clear is left in the database. A database that never had the table has nothing to do."""

from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from knox.crypto import hash_token
from knox.settings import CONSTANTS

TABLE = "authtoken_token"


def hash_drf_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if TABLE not in connection.introspection.table_names():
        return
    AuthToken = apps.get_model("knox", "AuthToken")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name('key')}, user_id FROM {TABLE}")
        rows = cursor.fetchall()
    expiry = timezone.now() + timedelta(days=settings.API_TOKEN_TTL_DAYS)
    AuthToken.objects.bulk_create(
        AuthToken(digest=hash_token(key), token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH], user_id=user, expiry=expiry)
        for key, user in rows
    )
    schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(TABLE)}")
    MigrationRecorder(connection).migration_qs.filter(app="authtoken").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("knox", "0009_extend_authtoken_field"),
        ("projects", "0010_api_token"),
    ]

    # Backwards: the knox tokens stay; the clear keys are gone for good.
    operations = [migrations.RunPython(hash_drf_tokens, migrations.RunPython.noop)]
