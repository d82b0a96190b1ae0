from django.db import migrations


class Migration(migrations.Migration):
    """Participants (v1) become registrations (domain v2, R47): the same rows, renamed."""

    dependencies = [
        ("applications", "0010_messages_letter_versions"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='participant',
            name='participant_unique_person_in_application',
        ),
        migrations.RemoveConstraint(
            model_name='participant',
            name='participant_end_after_start',
        ),
        migrations.RemoveConstraint(
            model_name='participant',
            name='participant_requested_nonnegative',
        ),
        migrations.RemoveConstraint(
            model_name='participant',
            name='participant_cost_nonnegative',
        ),
        migrations.RemoveConstraint(
            model_name='participant',
            name='participant_hours_plausible',
        ),
        migrations.RemoveIndex(
            model_name='participant',
            name='application_applica_f1ca4d_idx',
        ),
        migrations.RenameModel("Participant", "Registration"),
        migrations.RenameField("registration", "planned_cost", "cost"),
        migrations.RenameField("registration", "requested_amount", "amount"),
    ]
