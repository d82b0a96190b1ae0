"""Memberships move from ``accounting`` to ``applications`` (state only; the table keeps its name).

Who may see an employer's applications is decided by membership, and ``applications`` sits below
``accounting`` in the layers (README, architecture), so the model lives with the employers.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0002_initial"),
        ("accounting", "0004_accountability"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Membership",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("role", models.CharField(choices=[("contact", "Contact"), ("accountability_officer", "Accountability officer")], max_length=30, verbose_name="role")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                        ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("employer", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="memberships", to="applications.employer")),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="memberships", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "membership",
                        "verbose_name_plural": "memberships",
                        "db_table": "accounting_membership",
                        "ordering": ["employer__name"],
                        "constraints": [models.UniqueConstraint(fields=("user", "employer"), name="membership_unique_user_employer")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
