"""A poor village's exit becomes two facts: the date it exited and the year it is planned for.

The old `poor_village_exit_year` held both: the engine counted a year ≤ the run's year as exited,
the reports a year < the run's year (the same year as "planned"). Converted here as the reports
read it at migration time: a year before the current one is an exit that happened (dated 31
December of that year, the latest date the year allows); the current or a later year is a plan.
Set-based: one UPDATE per distinct year (a handful).
"""

import datetime

from django.db import migrations, models
from django.utils import timezone


def split_exit_year(apps, schema_editor):
    Area = apps.get_model("areas", "Area")
    this_year = timezone.localdate().year
    years = (
        Area.objects.filter(poor_village_exit_year__isnull=False)
        .values_list("poor_village_exit_year", flat=True)
        .distinct()
    )
    for year in list(years):
        rows = Area.objects.filter(poor_village_exit_year=year)
        if year < this_year:
            rows.update(poor_village_exited_on=datetime.date(year, 12, 31))
        else:
            rows.update(poor_village_planned_exit_year=year)


def join_exit_year(apps, schema_editor):
    Area = apps.get_model("areas", "Area")
    for year in {
        d.year
        for d in Area.objects.exclude(poor_village_exited_on=None).values_list(
            "poor_village_exited_on", flat=True
        )
    }:
        Area.objects.filter(poor_village_exited_on__year=year).update(poor_village_exit_year=year)
    Area.objects.filter(poor_village_exited_on=None).exclude(
        poor_village_planned_exit_year=None
    ).update(poor_village_exit_year=models.F("poor_village_planned_exit_year"))


class Migration(migrations.Migration):
    dependencies = [("areas", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="area",
            name="poor_village_exited_on",
            field=models.DateField(blank=True, null=True, verbose_name="贫困村出列日期"),
        ),
        migrations.AddField(
            model_name="area",
            name="poor_village_planned_exit_year",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="贫困村计划出列年度"
            ),
        ),
        migrations.RunPython(split_exit_year, join_exit_year),
        migrations.RemoveField(model_name="area", name="poor_village_exit_year"),
    ]
