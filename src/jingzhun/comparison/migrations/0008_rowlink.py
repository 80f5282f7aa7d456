import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('comparison', '0004_verificationtask_procedure'),
        ('registry', '0003_user_fks_protect'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='dataset',
            name='tokens_linked',
            field=models.BooleanField(default=False, verbose_name='已按令牌匹配'),
        ),
        migrations.CreateModel(
            name='RowLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('area_code', models.CharField(db_index=True, max_length=12, verbose_name='区划代码')),
                ('method', models.CharField(choices=[('exact', '证件号码一致'), ('token', '令牌一致'), ('fuzzy', '姓名、出生日期和区划相近')], max_length=8, verbose_name='匹配方式')),
                ('score', models.FloatField(blank=True, null=True, verbose_name='匹配概率')),
                ('weight', models.FloatField(blank=True, null=True, verbose_name='匹配权重')),
                ('status', models.CharField(choices=[('possible', '可能匹配（待确认）'), ('confirmed', '已确认'), ('rejected', '已否定')], db_index=True, max_length=16, verbose_name='状态')),
                ('decided', models.DateTimeField(blank=True, null=True, verbose_name='确认时间')),
                ('created', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                ('dataset_row', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='links', to='comparison.datasetrow', verbose_name='部门数据行')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='确认人')),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='registry.person', verbose_name='成员')),
            ],
            options={
                'verbose_name': '数据行匹配',
                'verbose_name_plural': '数据行匹配',
                'ordering': ['area_code', '-score', 'pk'],
                'constraints': [models.UniqueConstraint(fields=('dataset_row', 'person'), name='rowlink_pair_once'), models.UniqueConstraint(condition=models.Q(('status', 'confirmed')), fields=('dataset_row',), name='rowlink_one_confirmed')],
            },
        ),
    ]
