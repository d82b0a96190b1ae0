from django.db import migrations, models


class Migration(migrations.Migration):
    """R30/R33: a settlement replaced after an upheld objection is reversed by its successor."""

    dependencies = [
        ('budgets', '0005_reference_data_audit'),
    ]

    operations = [
        migrations.AlterField(
            model_name='ledgerentry',
            name='kind',
            field=models.CharField(choices=[('commitment', 'Commitment (granted unconditionally)'), ('decommitment', 'Decommitment (grant lowered)'), ('hold', 'Held back'), ('release', 'Released'), ('forfeit', 'Forfeited'), ('advance', 'Advance paid'), ('settlement', 'Settlement'), ('settlement_reversal', 'Settlement reversed (replaced on objection)'), ('reclaim', 'Reclaim')], max_length=20, verbose_name='kind'),
        ),
    ]
