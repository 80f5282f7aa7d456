import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_login_actions"),
        ("comparison", "0008_rowlink"),
    ]

    operations = [
        migrations.AddField(
            model_name="verificationtask",
            name="change",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="audit.auditentry",
                verbose_name="登记变更",
            ),
        ),
    ]
