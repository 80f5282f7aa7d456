"""Objections get a random receipt number (受理编号) for the public status lookup; the lookups'
hourly limit per client gets its table. Existing objections are given receipts in batches; the
backfill only fills empty receipts, so it is safe to re-run."""

from django.db import migrations, models

import jingzhun.procedures.models


def give_receipts(apps, schema_editor):
    Objection = apps.get_model("procedures", "Objection")
    taken = set(Objection.objects.exclude(receipt=None).values_list("receipt", flat=True))
    while True:
        batch = list(Objection.objects.filter(receipt=None).order_by("id")[:500])
        if not batch:
            return
        for objection in batch:
            receipt = jingzhun.procedures.models.new_receipt()
            while receipt in taken:
                receipt = jingzhun.procedures.models.new_receipt()
            taken.add(receipt)
            objection.receipt = receipt
        Objection.objects.bulk_update(batch, ["receipt"])


class Migration(migrations.Migration):
    dependencies = [
        ("procedures", "0003_user_fks_protect"),
    ]

    operations = [
        migrations.AddField(
            model_name="objection",
            name="receipt",
            field=models.CharField(max_length=12, null=True, verbose_name="受理编号"),
        ),
        migrations.RunPython(give_receipts, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="objection",
            name="receipt",
            field=models.CharField(
                default=jingzhun.procedures.models.new_receipt,
                editable=False,
                max_length=12,
                unique=True,
                verbose_name="受理编号",
            ),
        ),
        migrations.CreateModel(
            name="ReceiptLookup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("client", models.CharField(max_length=64, verbose_name="来源标识")),
                ("attempted", models.DateTimeField(verbose_name="查询时间")),
            ],
            options={
                "verbose_name": "受理编号查询",
                "verbose_name_plural": "受理编号查询",
                "ordering": ["-attempted", "-id"],
                "indexes": [
                    models.Index(fields=["client", "attempted"], name="receipt_lookup_client")
                ],
            },
        ),
    ]
