from django.db import migrations, models
from django.db.models import F


def account_holder_is_the_name(apps, schema_editor):
    """R1: existing employers get their own name as the account holder until the office corrects it."""
    apps.get_model("applications", "Employer").objects.update(account_holder=F("name"))


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0004_receipts_completion'),
    ]

    operations = [
        migrations.AddField(
            model_name='employer',
            name='account_holder',
            field=models.CharField(default='', help_text="The name of the IBAN's account holder, as the bank knows it (R1).", max_length=200, verbose_name='account holder'),
            preserve_default=False,
        ),
        migrations.RunPython(account_holder_is_the_name, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='decision',
            name='kind',
            field=models.CharField(choices=[('grant', 'Grant'), ('rejection', 'Rejection'), ('holdback_release', 'Release of the held-back part'), ('holdback_forfeit', 'Forfeiture of the held-back part'), ('advance', 'Advance'), ('settlement', 'Settlement'), ('objection_ruling', 'Ruling on an objection')], max_length=30, verbose_name='kind'),
        ),
    ]
