"""Assessors from outside a programme's team; a decision's conditions kept on the Decision itself.

Conditions used to be only the note of the application's 'decided' step: they are copied onto each
existing decision, so letters written before and after read them from the same place.
"""
from django.conf import settings
from django.db import migrations, models


def copy_conditions(apps, schema_editor):
    Decision = apps.get_model("grants", "Decision")
    ApplicationEvent = apps.get_model("grants", "ApplicationEvent")
    notes = dict(
        ApplicationEvent.objects.filter(kind="decided").exclude(note="").order_by("at", "id").values_list("application", "note")
    )
    # Historical models have no append-only guard; this fills the new column once.
    for decision in Decision.objects.filter(application__in=list(notes)):
        Decision.objects.filter(pk=decision.pk).update(conditions=notes[decision.application_id])


class Migration(migrations.Migration):

    dependencies = [
        ('grants', '0002_application_eligibility_answers'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='decision',
            name='conditions',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='programme',
            name='assessors',
            field=models.ManyToManyField(blank=True, help_text="Staff outside the team who may be asked to score this programme's applications", related_name='grant_programmes_assessed', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(copy_conditions, migrations.RunPython.noop),
    ]
