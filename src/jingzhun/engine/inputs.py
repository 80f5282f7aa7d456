"""Input views: one Ibis expression per level over the base tables, whose columns are exactly
the fields of `jingzhun.standards.vocabulary` (HOUSEHOLD, VILLAGE, COUNTY), for an assessed
`year` and an optional area-code `prefix`.

Set-based throughout: member and measure aggregates are group_by/aggregate joined back with left
joins (so an entity with no rows still appears, with counts coalesced to 0). Ages are on 31
December of `year`, i.e. `year - birth year`. Each view ends with a cast to `SCHEMAS[level]`, so
every engine returns the same types.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from .tables import MONEY, scope

# Mirrors of registry/choices.py (this package may not import Django; a test checks they agree).
POOR_STATUSES = ("registered", "relapsed")
REGISTERED_STATUSES = ("registered", "exited", "relapsed", "monitored")
DEREGISTERED = "deregistered"
UNSAFE_HOUSING_GRADES = ("C", "D")
COMPULSORY_SCHOOLING = ("primary", "junior", "senior", "vocational")
COMPULSORY_AGE = (6, 15)
PENSION_AGE = 16  # 16+ and not in school: due for the residents' pension insurance
SERIOUS_HEALTH = "serious"

SCHEMAS: dict[str, dict[str, str]] = {
    "household": {
        "household_id": "int64",
        "village_code": "string",
        "status": "string",
        "kind": "string",
        "members": "int64",
        "income_per_capita": MONEY,
        "net_income": MONEY,
        "transfer_share": "float64",
        "has_income": "boolean",
        "food_secure": "boolean",
        "clothing_secure": "boolean",
        "housing_safe": "boolean",
        "water_safe": "boolean",
        "dropouts": "int64",
        "medical_uninsured": "int64",
        "serious_illness_uninsured": "int64",
        "seriously_ill_uninsured": "int64",
        "pension_due": "int64",
        "pension_uninsured": "int64",
        "measures": "int64",
    },
    "village": {
        "village_code": "string",
        "county_code": "string",
        "poor_village": "boolean",
        "exited_year": "int64",
        "planned_exit_year": "int64",
        "rural_population": "int64",
        "poor_persons": "int64",
        "incidence": "float64",
        "hardened_road": "boolean",
        "grid_power": "boolean",
        "radio_tv": "boolean",
        "broadband": "boolean",
        "clinic_with_doctor": "boolean",
        "safe_water": "boolean",
        "unsafe_houses": "int64",
        "public_space": "boolean",
        "collective_income": MONEY,
    },
    "county": {
        "county_code": "string",
        "rural_population": "int64",
        "poor_persons": "int64",
        "incidence": "float64",
        "rural_income_growth": MONEY,
        "province_income_growth": MONEY,
        "poor_villages": "int64",
        "exited_poor_villages": "int64",
        "exited_village_share": "float64",
        "registered_households": "int64",
        "households_with_measures": "int64",
        "measure_coverage": "float64",
        "education_balance_year": "int64",
    },
}

Tables = dict[str, ir.Table]


def _count(condition: ir.BooleanValue) -> ir.IntegerScalar:
    """Rows meeting `condition` (NULL counts as not met); portable across engines."""
    return condition.ifelse(1, 0).sum()


def _percent(numerator: ir.NumericValue, denominator: ir.NumericValue) -> ir.FloatingValue:
    """numerator × 100 ÷ denominator, NULL when the denominator is 0 or NULL."""
    return ibis.ifelse(
        denominator > 0,
        numerator.cast("float64") * 100.0 / denominator.cast("float64"),
        ibis.null("float64"),
    )


def _county_of(code: ir.StringValue) -> ir.StringValue:
    return code.substr(0, 6) + "000000"


def _finish(table: ir.Table, level: str) -> ir.Table:
    return table.select(**{name: table[name].cast(type_) for name, type_ in SCHEMAS[level].items()})


def household_input(tables: Tables, year: int, prefix: str = "") -> ir.Table:
    """Every household not deregistered, with member, income and measure aggregates."""
    t = scope(tables, prefix)
    h = t["registry_household"]
    h = h.filter(h.status != DEREGISTERED)
    p = t["registry_person"]
    age = ibis.literal(year) - p.birth_date.year()
    low, high = COMPULSORY_AGE
    pension_due = (age >= PENSION_AGE) & (p.schooling == "none")
    people = p.group_by(hid=p.household_id).aggregate(
        members=p.count(),
        dropouts=_count(age.between(low, high) & ~p.schooling.isin(COMPULSORY_SCHOOLING)),
        medical_uninsured=_count(~p.medical_insured),
        serious_illness_uninsured=_count(~p.serious_illness_insured),
        seriously_ill_uninsured=_count((p.health == SERIOUS_HEALTH) & ~p.serious_illness_insured),
        pension_due=_count(pension_due),
        pension_uninsured=_count(pension_due & ~p.pension_insured),
    )
    i = t["registry_income"]
    income = i.filter(i.year == year).select(
        iid=i.household_id,
        net_income=i.net_income,
        transfer_income=i.transfer_income,
        income_per_capita=i.income_per_capita,
    )
    m = t["registry_measure"]
    m = m.filter(m.year <= year)
    measures = m.group_by(mid=m.household_id).aggregate(measures=m.count())
    j = (
        h.left_join(people, h.id == people.hid)
        .left_join(income, h.id == income.iid)
        .left_join(measures, h.id == measures.mid)
    )
    net = j.net_income
    view = j.select(
        household_id=j.id,
        village_code=j.village_id,
        status=j.status,
        kind=j.kind,
        members=j.members.coalesce(0),
        income_per_capita=j.income_per_capita,
        net_income=net,
        transfer_share=ibis.ifelse(
            net > 0,
            j.transfer_income.cast("float64") / net.cast("float64"),
            ibis.null("float64"),
        ),
        has_income=j.iid.notnull(),
        food_secure=j.food_secure,
        clothing_secure=j.clothing_secure,
        housing_safe=~j.housing_grade.isin(UNSAFE_HOUSING_GRADES),
        water_safe=j.water_safe,
        dropouts=j.dropouts.coalesce(0),
        medical_uninsured=j.medical_uninsured.coalesce(0),
        serious_illness_uninsured=j.serious_illness_uninsured.coalesce(0),
        seriously_ill_uninsured=j.seriously_ill_uninsured.coalesce(0),
        pension_due=j.pension_due.coalesce(0),
        pension_uninsured=j.pension_uninsured.coalesce(0),
        measures=j.measures.coalesce(0),
    )
    return _finish(view, "household")


# The household-input columns the village and county inputs can be derived from (see
# `village_input`): a run keeps them on its evaluated household table.
HOUSEHOLD_AGGREGATES = ("village_code", "status", "members", "housing_safe", "measures")


def village_input(
    tables: Tables, year: int, prefix: str = "", households: ir.Table | None = None
) -> ir.Table:
    """Every village area, with its registered-poor aggregates and attributes.

    `households`: the household input of the same tables, year and prefix (or any table with
    its HOUSEHOLD_AGGREGATES columns, e.g. an evaluated one). Given, the aggregates are summed
    from it (poor persons = members of poor households) instead of joining every person again:
    the same figures, without a second pass over the largest table.
    `year` is accepted for symmetry; the village aggregates use current statuses.
    """
    t = scope(tables, prefix)
    a = t["areas_area"]
    v = a.filter(a.level == "village")
    if households is not None:
        poor_h = households.filter(households.status.isin(POOR_STATUSES))
        persons = poor_h.group_by(pv=poor_h.village_code).aggregate(
            poor_persons=poor_h.members.sum()
        )
        unsafe_poor_h = poor_h.filter(~poor_h.housing_safe)  # NULL grade: not unsafe
        unsafe = unsafe_poor_h.group_by(uv=unsafe_poor_h.village_code).aggregate(
            unsafe_houses=unsafe_poor_h.count()
        )
    else:
        h = t["registry_household"]
        poor = h.filter(h.status.isin(POOR_STATUSES))
        p = t["registry_person"]
        poor_people = p.inner_join(poor, p.household_id == poor.id)
        persons = poor_people.group_by(pv=poor_people.village_id).aggregate(
            poor_persons=poor_people.count()
        )
        unsafe_poor = poor.filter(poor.housing_grade.isin(UNSAFE_HOUSING_GRADES))
        unsafe = unsafe_poor.group_by(uv=unsafe_poor.village_id).aggregate(
            unsafe_houses=unsafe_poor.count()
        )
    j = v.left_join(persons, v.code == persons.pv).left_join(unsafe, v.code == unsafe.uv)
    poor_persons = j.poor_persons.coalesce(0)
    view = j.select(
        village_code=j.code,
        county_code=_county_of(j.code),
        poor_village=j.poor_village,
        exited_year=j.poor_village_exited_on.year().cast("int64"),
        planned_exit_year=j.poor_village_planned_exit_year,
        rural_population=j.rural_population,
        poor_persons=poor_persons,
        incidence=_percent(poor_persons, j.rural_population),
        hardened_road=j.hardened_road,
        grid_power=j.grid_power,
        radio_tv=j.radio_tv,
        broadband=j.broadband,
        clinic_with_doctor=j.clinic_with_doctor,
        safe_water=j.safe_water,
        unsafe_houses=j.unsafe_houses.coalesce(0),
        public_space=j.public_space,
        collective_income=j.collective_income,
    )
    return _finish(view, "village")


def county_input(
    tables: Tables, year: int, prefix: str = "", households: ir.Table | None = None
) -> ir.Table:
    """Every county area, with village and household aggregates and its attributes.
    `households` as in `village_input`."""
    t = scope(tables, prefix)
    a = t["areas_area"]
    c = a.filter(a.level == "county")
    v = village_input(t, year, households=households)
    # Exited in or before the run's year: the definition of `areas.models.exited_by`.
    exited = v.poor_village & v.exited_year.notnull() & (v.exited_year <= year)
    villages = v.group_by(vc=v.county_code).aggregate(
        v_rural=v.rural_population.sum(),
        v_poor_persons=v.poor_persons.sum(),
        poor_villages=_count(v.poor_village),
        exited_poor_villages=_count(exited),
    )
    if households is not None:
        hr = households.filter(households.status.isin(REGISTERED_STATUSES))
        reach = hr.group_by(hc=_county_of(hr.village_code)).aggregate(
            registered_households=hr.count(),
            households_with_measures=_count(hr.measures > 0),
        )
    else:
        h = t["registry_household"]
        registered = h.filter(h.status.isin(REGISTERED_STATUSES))
        m = t["registry_measure"]
        reached = m.filter(m.year <= year).select(mid=m.household_id).distinct()
        hm = registered.left_join(reached, registered.id == reached.mid)
        reach = hm.group_by(hc=_county_of(hm.village_id)).aggregate(
            registered_households=hm.count(),
            households_with_measures=_count(hm.mid.notnull()),
        )
    j = c.left_join(villages, c.code == villages.vc).left_join(reach, c.code == reach.hc)
    rural = j.v_rural.coalesce(0)
    poor_persons = j.v_poor_persons.coalesce(0)
    poor_villages = j.poor_villages.coalesce(0)
    exited_villages = j.exited_poor_villages.coalesce(0)
    registered_n = j.registered_households.coalesce(0)
    with_measures = j.households_with_measures.coalesce(0)
    view = j.select(
        county_code=j.code,
        rural_population=rural,
        poor_persons=poor_persons,
        incidence=_percent(poor_persons, rural),
        rural_income_growth=j.rural_income_growth,
        province_income_growth=j.province_income_growth,
        poor_villages=poor_villages,
        exited_poor_villages=exited_villages,
        exited_village_share=_percent(exited_villages, poor_villages),
        registered_households=registered_n,
        households_with_measures=with_measures,
        measure_coverage=_percent(with_measures, registered_n),
        education_balance_year=j.education_balance_year,
    )
    return _finish(view, "county")


VIEWS = {"household": household_input, "village": village_input, "county": county_input}


def input_view(
    tables: Tables,
    level: str,
    year: int,
    prefix: str = "",
    households: ir.Table | None = None,
) -> ir.Table:
    """The input view of `level` ("household", "village" or "county"); `households` as in
    `village_input` (ignored for the household level)."""
    if level == "household":
        return household_input(tables, year, prefix)
    return VIEWS[level](tables, year, prefix, households)
