# Issue #3: store an assessment run sparsely. Verdicts carry every indicator's value
# (`indicator_values`), the run carries the thresholds, IndicatorResult keeps only the unmet
# indicators, and neither table has a database constraint or a separate index on its run.
#
# Existing runs are converted in place, set-based (one UPDATE per run, level and indicator, then
# one DELETE of the met rows): their pages show the same figures afterwards. Going back
# (migrating to 0003) keeps the converted rows: the met indicators' rows are not rebuilt.

import django.db.models.deletion
from django.db import migrations, models

SCALE = 10_000


def _order(standard_id, level, ids):
    """The run's indicator ids in its standard's order (sorted when the file is gone)."""
    from jingzhun.standards import loader

    try:
        standard = loader.load(standard_id)
        position = {ind.id: n for n, ind in enumerate(standard.indicators(level))}
    except Exception:  # noqa: BLE001 - a removed or broken standard: fall back to sorting
        position = {}
    return sorted(ids, key=lambda i: (position.get(i, len(position)), i))


def convert_runs(apps, schema_editor):
    AssessmentRun = apps.get_model("assessment", "AssessmentRun")
    IndicatorResult = apps.get_model("assessment", "IndicatorResult")
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    verdicts = quote(apps.get_model("assessment", "Verdict")._meta.db_table)
    results = quote(IndicatorResult._meta.db_table)
    run_ids = IndicatorResult.objects.values_list("run_id", flat=True).distinct()
    with connection.cursor() as cursor:
        for run in AssessmentRun.objects.filter(pk__in=list(run_ids)):
            thresholds = {}
            levels = (
                IndicatorResult.objects.filter(run_id=run.pk)
                .values_list("level", "indicator")
                .distinct()
            )
            by_level = {}
            for level, indicator in levels:
                by_level.setdefault(level, []).append(indicator)
            for level, ids in by_level.items():
                ordered = _order(run.standard_id, level, ids)
                pairs = []
                for position, indicator in enumerate(ordered):
                    threshold = (
                        IndicatorResult.objects.filter(
                            run_id=run.pk, level=level, indicator=indicator
                        )
                        .exclude(threshold=None)
                        .values_list("threshold", flat=True)
                        .first()
                    )
                    pairs.append([indicator, threshold])
                    separator = "," if position else ""
                    cursor.execute(
                        f"UPDATE {verdicts} SET indicator_values = indicator_values || %s || "  # noqa: S608 - table names from model meta
                        f"COALESCE((SELECT CAST(CAST(ROUND(r.value * {SCALE}) AS bigint) AS text)"
                        f" FROM {results} r WHERE r.run_id = {verdicts}.run_id"
                        f" AND r.entity = {verdicts}.entity AND r.level = {verdicts}.level"
                        " AND r.indicator = %s), '') WHERE run_id = %s AND level = %s",
                        [separator, indicator, run.pk, level],
                    )
                thresholds[level] = pairs
            run.thresholds = thresholds
            run.save(update_fields=["thresholds"])
    IndicatorResult.objects.filter(met=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0003_run_cancelled_entity_indexes"),
        ("registry", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="indicatorresult",
            name="assess_result_run_ind_met",
        ),
        migrations.RemoveIndex(
            model_name="verdict",
            name="assess_verdict_run_level_met",
        ),
        migrations.AddField(
            model_name="assessmentrun",
            name="thresholds",
            field=models.JSONField(blank=True, default=dict, verbose_name="标准值"),
        ),
        migrations.AddField(
            model_name="verdict",
            name="indicator_values",
            field=models.TextField(blank=True, default="", verbose_name="指标值"),
        ),
        migrations.AlterField(
            model_name="indicatorresult",
            name="run",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="results",
                to="assessment.assessmentrun",
                verbose_name="评估运行",
            ),
        ),
        migrations.AlterField(
            model_name="verdict",
            name="household",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="verdicts",
                to="registry.household",
                verbose_name="贫困户",
            ),
        ),
        migrations.AlterField(
            model_name="verdict",
            name="run",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="verdicts",
                to="assessment.assessmentrun",
                verbose_name="评估运行",
            ),
        ),
        migrations.RunPython(convert_runs, migrations.RunPython.noop, elidable=True),
    ]
