from django.db import migrations, models


def fill_deadline(apps, schema_editor):
    """Reminders sent so far were for the accountability deadline of the application's period."""
    ReminderSent = apps.get_model("accounting", "ReminderSent")
    for row in ReminderSent.objects.select_related("application__period").filter(deadline__isnull=True):
        row.deadline = row.application.period.accountability_deadline
        row.save(update_fields=["deadline"])


class Migration(migrations.Migration):

    dependencies = [
        ("accounting", "0006_project_agreements"),
        ("applications", "0008_lapse"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="remindersent", name="remindersent_once_per_kind"),
        migrations.AddField(
            model_name="remindersent",
            name="deadline_kind",
            field=models.CharField(
                choices=[
                    ("agreement", "Project agreement"),
                    ("registration", "Registration"),
                    ("repair", "Last repair"),
                    ("accountability", "Accountability"),
                ],
                default="accountability",
                max_length=20,
                verbose_name="deadline",
            ),
        ),
        migrations.AddField(
            model_name="remindersent",
            name="deadline",
            field=models.DateField(null=True, verbose_name="deadline date"),
        ),
        migrations.RunPython(fill_deadline, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="remindersent",
            name="deadline",
            field=models.DateField(verbose_name="deadline date"),
        ),
        migrations.AddConstraint(
            model_name="remindersent",
            constraint=models.UniqueConstraint(
                fields=("application", "deadline_kind", "deadline", "kind"), name="remindersent_once_per_deadline"
            ),
        ),
    ]
