"""The Membership model now lives in ``applications`` (state only; see applications 0003)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounting", "0004_accountability"),
        ("applications", "0003_membership"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Membership")],
            database_operations=[],
        ),
    ]
