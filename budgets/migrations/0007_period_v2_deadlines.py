
import django.core.validators
import django.db.models.deletion
import sectorplan.money
from decimal import Decimal
from django.db import migrations, models


def mirror_accountability(apps, schema_editor):
    """R53: every existing period gets the accountability row of its calendar (mirroring its field), and
    period 4 the cap per application of domain.md §3 (EUR 2,000,000) unless one was set."""
    Period = apps.get_model("budgets", "Period")
    Deadline = apps.get_model("budgets", "Deadline")
    Deadline.objects.bulk_create(
        [Deadline(period_id=p.pk, kind="accountability", date=p.accountability_deadline) for p in Period.objects.all()]
    )
    Period.objects.filter(number=4, application_cap__isnull=True).update(application_cap=Decimal("2000000.00"))


class Migration(migrations.Migration):

    dependencies = [
        ('budgets', '0006_ledger_settlement_reversal'),
    ]

    operations = [
        migrations.CreateModel(
            name='Deadline',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('agreement', 'Project agreement'), ('registration', 'Registration'), ('repair', 'Last repair'), ('accountability', 'Accountability')], max_length=20, verbose_name='kind')),
                ('date', models.DateField(verbose_name='date')),
            ],
            options={
                'verbose_name': 'deadline',
                'verbose_name_plural': 'deadlines',
                'ordering': ['period__number', 'date', 'kind'],
            },
        ),
        migrations.AddField(
            model_name='allocation',
            name='application_cap',
            field=sectorplan.money.MoneyField(blank=True, decimal_places=2, help_text="The period's cap when the proposal was made; a changed cap makes it stale (R18).", max_digits=14, null=True, verbose_name='cap per application'),
        ),
        migrations.AddField(
            model_name='allocation',
            name='method',
            field=models.CharField(choices=[('pro_rata', 'Pro rata (floor first, then in proportion)'), ('first_come', 'First come, first served (by receipt time)')], default='pro_rata', help_text="The period's method when the proposal was made; a changed method makes it stale (R18).", max_length=20, verbose_name='allocation method'),
        ),
        migrations.AddField(
            model_name='period',
            name='allocation_method',
            field=models.CharField(choices=[('pro_rata', 'Pro rata (floor first, then in proportion)'), ('first_come', 'First come, first served (by receipt time)')], default='pro_rata', help_text='How the budget is divided when the eligible amounts do not all fit (R16).', max_length=20, verbose_name='allocation method'),
        ),
        migrations.AddField(
            model_name='period',
            name='application_cap',
            field=sectorplan.money.MoneyField(blank=True, decimal_places=2, help_text='No application is granted more than this (R12, R16). Empty: no cap.', max_digits=14, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='cap per application'),
        ),
        migrations.AddField(
            model_name='period',
            name='decision_term_weeks',
            field=models.PositiveSmallIntegerField(default=13, help_text='Weeks after the application window closes within which the office decides (R44).', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(104)], verbose_name='decision term (weeks)'),
        ),
        migrations.AlterField(
            model_name='period',
            name='accountability_deadline',
            field=models.DateField(help_text='Also the accountability date of the deadline calendar, which mirrors this field (R53).', verbose_name='accountability deadline'),
        ),
        migrations.AddConstraint(
            model_name='period',
            constraint=models.CheckConstraint(condition=models.Q(('application_cap__isnull', True), ('application_cap__gte', 0), _connector='OR'), name='period_application_cap_nonnegative'),
        ),
        migrations.AddField(
            model_name='deadline',
            name='period',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deadlines', to='budgets.period', verbose_name='period'),
        ),
        migrations.AddConstraint(
            model_name='deadline',
            constraint=models.UniqueConstraint(fields=('period', 'kind'), name='deadline_unique_period_kind'),
        ),
        migrations.RunPython(mirror_accountability, migrations.RunPython.noop),
    ]
