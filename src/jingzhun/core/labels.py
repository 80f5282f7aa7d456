"""Marks model verbose names and filter labels for makemessages.

They are plain Chinese strings in their modules (models.py, filters.py); the pages translate them
at render time with `gettext(label)`, so their msgids must be in the catalogue. This list is
generated: after adding a model field or filter run `python -m jingzhun.core.labels` and then
`jingzhun makemessages -l en` from src/jingzhun. Not imported by the app at runtime.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.utils.translation import gettext_noop

MARKER = "LABELS = ["


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def collect() -> list[str]:
    """Every Chinese verbose name of the project's models and label of its FilterSets."""
    from django.apps import apps

    from jingzhun.registry import filters

    labels: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("jingzhun"):
            continue
        names = [model._meta.verbose_name, model._meta.verbose_name_plural]
        names += [getattr(f, "verbose_name", "") for f in model._meta.get_fields()]
        # Plain str only: lazy names (Django's own User fields) are translated by their owners.
        labels |= {name for name in names if isinstance(name, str)}
    for filterset in (
        filters.HouseholdFilter,
        filters.PersonFilter,
        filters.IncomeFilter,
        filters.HelperFilter,
        filters.MeasureFilter,
    ):
        labels |= {str(f.label or "") for f in filterset.base_filters.values()}
    labels |= {str(label) for _key, label in filters.GAP_CHOICES}
    return sorted(label for label in labels if _has_chinese(label))


def regenerate() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingzhun.settings")
    django.setup()
    path = Path(__file__)
    text = path.read_text(encoding="utf-8")
    head = text[: text.rindex("\n" + MARKER) + 1]
    items = "".join(f'    gettext_noop("{label}"),\n' for label in collect())
    path.write_text(head + MARKER + "\n" + items + "]\n", encoding="utf-8")


if __name__ == "__main__":
    regenerate()


LABELS = [
    gettext_noop("上级"),
    gettext_noop("不愁吃"),
    gettext_noop("不愁穿"),
    gettext_noop("与户主关系"),
    gettext_noop("与村主干路距离(公里)"),
    gettext_noop("两不愁三保障及收入缺口"),
    gettext_noop("主要燃料类型"),
    gettext_noop("主要致贫原因"),
    gettext_noop("义务教育发展基本均衡县认定年度"),
    gettext_noop("义务教育阶段辍学"),
    gettext_noop("享受低保"),
    gettext_noop("人均纯收入"),
    gettext_noop("低保金"),
    gettext_noop("住房不安全(C/D级危房)"),
    gettext_noop("住房面积(平方米)"),
    gettext_noop("健康状况"),
    gettext_noop("入户路类型"),
    gettext_noop("全省农村居民人均可支配收入增幅(%)"),
    gettext_noop("其他致贫原因"),
    gettext_noop("其他转移性收入"),
    gettext_noop("养老金"),
    gettext_noop("内容"),
    gettext_noop("军烈属"),
    gettext_noop("农村居民人均可支配收入(元)"),
    gettext_noop("农村居民人均可支配收入增幅(%)"),
    gettext_noop("农村户籍人口"),
    gettext_noop("出生日期"),
    gettext_noop("创建时间"),
    gettext_noop("加入农民专业合作社"),
    gettext_noop("务工时间(月)"),
    gettext_noop("务工状况"),
    gettext_noop("劳动技能"),
    gettext_noop("区划代码"),
    gettext_noop("危房等级"),
    gettext_noop("原因"),
    gettext_noop("原状态"),
    gettext_noop("参加城乡居民基本养老保险"),
    gettext_noop("参加城乡居民基本医疗保险"),
    gettext_noop("参加大病保险"),
    gettext_noop("双女户"),
    gettext_noop("变更内容"),
    gettext_noop("吃未保障"),
    gettext_noop("名称"),
    gettext_noop("在校生状况"),
    gettext_noop("姓名"),
    gettext_noop("姓名、拼音首字母或户编号"),
    gettext_noop("姓名或拼音首字母"),
    gettext_noop("姓名拼音键"),
    gettext_noop("审计记录"),
    gettext_noop("家庭成员"),
    gettext_noop("家庭纯收入"),
    gettext_noop("对象"),
    gettext_noop("对象类型"),
    gettext_noop("对象编号"),
    gettext_noop("工作单位"),
    gettext_noop("工资性收入"),
    gettext_noop("帮扶措施"),
    gettext_noop("帮扶责任人"),
    gettext_noop("年度"),
    gettext_noop("开户银行"),
    gettext_noop("性别"),
    gettext_noop("户编号"),
    gettext_noop("所在户"),
    gettext_noop("所在行政村"),
    gettext_noop("所属区划"),
    gettext_noop("批次"),
    gettext_noop("拼音首字母"),
    gettext_noop("措施类别"),
    gettext_noop("搬迁安置方式"),
    gettext_noop("搬迁年度"),
    gettext_noop("操作"),
    gettext_noop("操作人"),
    gettext_noop("收入"),
    gettext_noop("收入年度"),
    gettext_noop("收入未超过贫困线"),
    gettext_noop("政治面貌"),
    gettext_noop("文化程度"),
    gettext_noop("新状态"),
    gettext_noop("日期"),
    gettext_noop("时间"),
    gettext_noop("易地扶贫搬迁户"),
    gettext_noop("更新时间"),
    gettext_noop("有公共活动场所"),
    gettext_noop("有卫生厕所"),
    gettext_noop("有卫生室及执业医生"),
    gettext_noop("有成员未参加基本医保"),
    gettext_noop("有效灌溉面积(亩)"),
    gettext_noop("村集体经济收入(元/年)"),
    gettext_noop("林地面积(亩)"),
    gettext_noop("林果面积(亩)"),
    gettext_noop("残疾等级"),
    gettext_noop("残疾类别"),
    gettext_noop("民族"),
    gettext_noop("水面面积(亩)"),
    gettext_noop("牧草地面积(亩)"),
    gettext_noop("特困供养"),
    gettext_noop("特困供养金"),
    gettext_noop("状态变更"),
    gettext_noop("独生子女户"),
    gettext_noop("现役军人"),
    gettext_noop("生产经营性支出"),
    gettext_noop("生产经营性收入"),
    gettext_noop("生态补偿金"),
    gettext_noop("用户"),
    gettext_noop("穿未保障"),
    gettext_noop("级别"),
    gettext_noop("耕地面积(亩)"),
    gettext_noop("联系电话"),
    gettext_noop("脱贫年度"),
    gettext_noop("自然村/组"),
    gettext_noop("行政区划"),
    gettext_noop("角色"),
    gettext_noop("计划生育金"),
    gettext_noop("计算人口"),
    gettext_noop("记录时间"),
    gettext_noop("证件号码"),
    gettext_noop("识别年度"),
    gettext_noop("识别标准"),
    gettext_noop("说明"),
    gettext_noop("财产性收入"),
    gettext_noop("贫困户"),
    gettext_noop("贫困户属性"),
    gettext_noop("贫困户状态"),
    gettext_noop("贫困村"),
    gettext_noop("贫困村出列年度"),
    gettext_noop("转移性收入"),
    gettext_noop("退耕还林面积(亩)"),
    gettext_noop("通动力电"),
    gettext_noop("通宽带或4G"),
    gettext_noop("通广播电视"),
    gettext_noop("通生产用电"),
    gettext_noop("通生活用电"),
    gettext_noop("通硬化路"),
    gettext_noop("通自来水或安全饮水"),
    gettext_noop("金额(元)"),
    gettext_noop("银行账号"),
    gettext_noop("饮水不安全"),
    gettext_noop("饮水困难"),
    gettext_noop("饮水安全"),
]
