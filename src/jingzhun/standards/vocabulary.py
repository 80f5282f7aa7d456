"""The whitelisted fields a standard may name, per level: the columns of the assessment input
views that `jingzhun.engine.inputs` builds on every engine. Pure module (no Django, no Ibis).

A standard is data over this vocabulary only (never SQL): adding a field means adding it here
and to the input view, with a test. Types: "number" (int/decimal), "bool", "year", "text",
"date" (comparison inputs only: YYYYMMDD numbers), "list" (comparison inputs only: codes
separated by commas, e.g. other_causes "capital,skills").
Counts are over the household's current members; ages are on 31 December of the assessed year.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # number | bool | year | text | date | list
    zh: str
    en: str


HOUSEHOLD = {
    f.name: f
    for f in [
        Field("household_id", "number", "户ID", "household id"),
        Field("village_code", "text", "行政村代码", "village code"),
        Field("status", "text", "贫困户状态", "status"),
        Field("kind", "text", "贫困户属性", "household type"),
        Field("members", "number", "家庭人口", "members"),
        Field("income_per_capita", "number", "人均纯收入", "per-capita net income"),
        Field("net_income", "number", "家庭纯收入", "net income"),
        Field("transfer_share", "number", "转移性收入占比", "share of transfer income"),
        Field("has_income", "bool", "有当年收入记录", "income recorded for the year"),
        Field("food_secure", "bool", "不愁吃", "food assured"),
        Field("clothing_secure", "bool", "不愁穿", "clothing assured"),
        Field("housing_safe", "bool", "住房安全（非C/D级危房）", "safe housing (not grade C/D)"),
        Field("water_safe", "bool", "饮水安全", "safe drinking water"),
        Field("dropouts", "number", "义务教育阶段辍学人数", "compulsory-education dropouts"),
        Field(
            "medical_uninsured",
            "number",
            "未参加基本医保人数",
            "members without basic medical insurance",
        ),
        Field(
            "serious_illness_uninsured",
            "number",
            "未参加大病保险人数",
            "members without serious-illness insurance",
        ),
        Field(
            "seriously_ill_uninsured",
            "number",
            "大病患者未参加大病保险人数",
            "seriously ill members without serious-illness insurance",
        ),
        Field(
            "pension_due",
            "number",
            "应参加养老保险人数（16岁以上非在校）",
            "members due for pension insurance (16+, not in school)",
        ),
        Field(
            "pension_uninsured",
            "number",
            "应参未参养老保险人数",
            "members due but not in pension insurance",
        ),
        Field(
            "measures", "number", "累计享受帮扶措施数", "assistance measures received (to the year)"
        ),
    ]
}

# Fields that mean the same on the village and county levels: defined once.
COUNTY_CODE = Field("county_code", "text", "县代码", "county code")
RURAL_POPULATION = Field(
    "rural_population", "number", "农村户籍人口", "rural registered population"
)
POOR_PERSONS = Field(
    "poor_persons",
    "number",
    "未脱贫人口（含返贫）",
    "registered poor persons (incl. relapsed)",
)
INCIDENCE = Field("incidence", "number", "贫困发生率（%）", "poverty incidence (%)")

VILLAGE = {
    f.name: f
    for f in [
        Field("village_code", "text", "行政村代码", "village code"),
        COUNTY_CODE,
        Field("poor_village", "bool", "贫困村", "poor village"),
        Field("exited_year", "year", "贫困村出列年度", "year the village exited"),
        Field("planned_exit_year", "year", "贫困村计划出列年度", "year the village plans to exit"),
        RURAL_POPULATION,
        POOR_PERSONS,
        INCIDENCE,
        Field("hardened_road", "bool", "通硬化路", "hardened road"),
        Field("grid_power", "bool", "通动力电", "grid power"),
        Field("radio_tv", "bool", "通广播电视", "radio and TV"),
        Field("broadband", "bool", "通宽带或4G", "broadband or 4G"),
        Field("clinic_with_doctor", "bool", "有卫生室及执业医生", "clinic with licensed doctor"),
        Field("safe_water", "bool", "通自来水或安全饮水", "safe water supply"),
        Field("unsafe_houses", "number", "C/D级危房户数", "registered households in C/D houses"),
        Field("public_space", "bool", "有公共活动场所", "public activity space"),
        Field(
            "collective_income",
            "number",
            "村集体经济收入（元）",
            "collective economy income (yuan)",
        ),
    ]
}

COUNTY = {
    f.name: f
    for f in [
        COUNTY_CODE,
        RURAL_POPULATION,
        POOR_PERSONS,
        INCIDENCE,
        Field(
            "rural_income_growth",
            "number",
            "农村居民人均可支配收入增幅（%）",
            "rural income growth (%)",
        ),
        Field(
            "province_income_growth",
            "number",
            "全省农村居民人均可支配收入增幅（%）",
            "province rural income growth (%)",
        ),
        Field("poor_villages", "number", "贫困村数", "poor villages"),
        Field("exited_poor_villages", "number", "已出列贫困村数", "poor villages exited"),
        Field(
            "exited_village_share",
            "number",
            "贫困村出列比例（%）",
            "share of poor villages exited (%)",
        ),
        Field("registered_households", "number", "建档立卡户数", "registered households"),
        Field(
            "households_with_measures",
            "number",
            "享受帮扶措施户数",
            "households reached by a measure",
        ),
        Field("measure_coverage", "number", "帮扶措施覆盖率（%）", "measure coverage (%)"),
        Field(
            "education_balance_year",
            "year",
            "义务教育均衡认定年度",
            "year education balance certified",
        ),
    ]
}

LEVELS = {"household": HOUSEHOLD, "village": VILLAGE, "county": COUNTY}

# The income items of the compared year (NULL without an income record), in the person input
# and the household input alike.
INCOME_ITEMS = (
    Field("wage_income", "number", "工资性收入", "wage income"),
    Field("operating_income", "number", "生产经营性收入", "operating income"),
    Field("operating_expenses", "number", "生产经营性支出", "operating expenses"),
    Field("dibao_income", "number", "低保金", "dibao benefit"),
    Field("destitute_income", "number", "特困供养金（五保金）", "destitute-support benefit"),
)

# One registered person with their household's facts: what comparison rules (数据比对) and the
# data-quality checks read of the registry (`jingzhun.engine.comparison.person_input`). Text
# fields hold the registry's codes (relation "head", health "serious" …). Dates are compared as
# numbers YYYYMMDD (2019-03-01 → 20190301): order and equality hold, sentences print dates.
PERSON = {
    f.name: f
    for f in [
        Field("person_id", "number", "成员ID", "person id"),
        Field("household_id", "number", "户ID", "household id"),
        Field("village_code", "text", "行政村代码", "village code"),
        Field("person_name", "text", "姓名", "name"),
        Field("relation", "text", "与户主关系", "relation to the head"),
        Field("sex", "text", "性别", "sex"),
        Field("age", "number", "年龄（当年末）", "age (at the year's end)"),
        Field("health", "text", "健康状况", "health"),
        Field("disability_grade", "number", "残疾等级", "disability grade"),
        Field("schooling", "text", "在校生状况", "schooling"),
        Field("ethnicity", "text", "民族", "ethnic group"),
        Field("education", "text", "文化程度", "education"),
        Field("labour", "text", "劳动技能", "labour capacity"),
        Field("dibao", "bool", "享受低保", "receives dibao"),
        Field("destitute", "bool", "特困供养", "destitute support"),
        Field("medical_insured", "bool", "参加基本医疗保险", "basic medical insurance"),
        Field("household_status", "text", "贫困户状态", "household status"),
        Field("household_kind", "text", "贫困户属性", "household type"),
        Field("entry_year", "year", "识别年度", "year registered"),
        Field("exit_year", "year", "脱贫年度", "year exited"),
        Field("income_per_capita", "number", "人均纯收入", "per-capita net income"),
        Field("birth_date", "date", "出生日期", "birth date"),
        # The ID number itself is never a field (never shown): its length says empty or malformed.
        Field("id_length", "number", "证件号码位数", "ID number length"),
        Field("main_cause", "text", "主要致贫原因", "main cause of poverty"),
        Field("other_causes", "list", "其他致贫原因", "other causes of poverty"),
        *INCOME_ITEMS,
        Field("work_status", "text", "务工状况", "migrant work"),
        Field("work_months", "number", "务工时间（月）", "months of migrant work"),
        # 之子 registered female, 之女 male … (the relations that name a sex).
        Field("relation_sex_conflict", "bool", "与户主关系与性别不符", "relation contradicts sex"),
    ]
}

# One household with its facts and counts of its current members: what rules of subject
# "household" read (`jingzhun.standards.compiler.household_input`, built from the person input,
# so a household without any member is not seen). The finding names the head (or, without a
# head, the first member), so a household's finding has one person and one key.
HOUSEHOLD_FACTS = {
    f.name: f
    for f in [
        Field("person_id", "number", "户主（无户主时为首个成员）ID", "head (or first member) id"),
        Field("household_id", "number", "户ID", "household id"),
        Field("village_code", "text", "行政村代码", "village code"),
        Field("person_name", "text", "户主姓名（无户主时为首个成员）", "head (or first member)"),
        Field("household_status", "text", "贫困户状态", "household status"),
        Field("household_kind", "text", "贫困户属性", "household type"),
        Field("main_cause", "text", "主要致贫原因", "main cause of poverty"),
        Field("other_causes", "list", "其他致贫原因", "other causes of poverty"),
        Field("entry_year", "year", "识别年度", "year registered"),
        Field("exit_year", "year", "脱贫年度", "year exited"),
        Field("income_per_capita", "number", "人均纯收入", "per-capita net income"),
        *INCOME_ITEMS,
        Field("members", "number", "家庭人口", "members"),
        Field("heads", "number", "户主人数", "heads"),
        Field("spouses", "number", "配偶人数", "spouses"),
        Field("same_sex_spouses", "number", "与户主同性别的配偶人数", "spouses of the head's sex"),
        Field("sick_members", "number", "患病成员数（慢性病、大病）", "sick members"),
        Field("disabled_members", "number", "残疾成员数", "disabled members"),
        Field("dibao_members", "number", "享受低保成员数", "members receiving dibao"),
        Field("destitute_members", "number", "特困供养成员数", "members in destitute support"),
        Field("students", "number", "在校生人数", "members in school"),
        Field(
            "working_age_labourers",
            "number",
            "16至65岁有劳动力成员数",
            "members aged 16 to 65 able to work",
        ),
        Field("migrant_workers", "number", "务工成员数", "members working away"),
    ]
}
# Fields in percent (their labels end in "(%)"): an indicator over these alone is a rate, printed
# with two decimals in sentences and tables (jingzhun.rates). transfer_share is a fraction.
PERCENT_FIELDS = frozenset(
    {
        "incidence",
        "rural_income_growth",
        "province_income_growth",
        "exited_village_share",
        "measure_coverage",
    }
)
# The key column of each level's input view: one verdict per value of it.
KEYS = {"household": "household_id", "village": "village_code", "county": "county_code"}
