"""Service lists of the demo county, mostly consistent with the registry: medical insurance,
school enrolment, disability certificates, with a few cases of each rule over them."""

from __future__ import annotations

import datetime
import random

from jingzhun.registry import choices as c

from .county import (
    County,
    DatasetPlan,
    Member,
    Row,
    Strangers,
    _day,
    _sample,
)


def _listed_members(county: County, plan: DatasetPlan) -> list[Member]:
    townships = sorted({v[:9] for v in county.villages})[: plan.person_lists_townships]
    return [m for m in county.members if m.village[:9] in townships]


# Floors of the cases the rules over these lists look for (insured_unmarked,
# enrolled_not_in_school, disability_grade_mismatch, disabled_unmarked): a few each, also at 5 %.
FLOOR = 2


def _insurance(county: County, plan: DatasetPlan, rng: random.Random, strangers: Strangers):
    rows: list[Row] = []
    listed = _listed_members(county, plan)
    # Enrolled per the healthcare-security list, registered as not: `insured_unmarked`.
    unmarked = {m.id for m in _sample(rng, [m for m in listed if not m.medical_insured], FLOOR)}
    for member in listed:
        insured = member.medical_insured or member.id in unmarked
        if member.id not in unmarked and rng.random() < plan.person_lists_mismatch:
            insured = not insured
        serious = member.health in ("serious", "chronic")
        paid = rng.randint(2000, 20000) if serious else rng.choice((0, 0, rng.randint(50, 1500)))
        rows.append(
            {
                "id_number": member.id_number,
                "name": member.name,
                "year": county.year,
                "insured": insured,
                "serious_illness_insured": "是"
                if insured and member.serious_illness_insured
                else "否",
                "self_paid": paid if insured else None,
            }
        )
    return rows


STAGES = {
    "preschool": ("学前", 2, 3, "{township}中心幼儿园"),
    "primary": ("小学", 5, 6, "{village}小学"),
    "junior": ("初中", 11, 3, "{township}中学"),
    "senior": ("高中", 14, 3, "{county}第一中学"),
    "vocational": ("中职", 14, 3, "{county}职业高级中学"),
    "college": ("高职", 17, 3, "红河职业技术学院"),
}


def _enrolment(county: County, plan: DatasetPlan, rng: random.Random, strangers: Strangers):
    rows: list[Row] = []
    listed = _listed_members(county, plan)
    # In senior school per the roll, registered as not in school: `enrolled_not_in_school`.
    older = [m for m in listed if m.schooling == "none" and 16 <= county.age(m) <= 18]
    enrolled = {m.id for m in _sample(rng, older, FLOOR)}
    for member in listed:
        age = county.age(member)
        schooling, status = member.schooling, "在读"
        if member.id in enrolled:
            schooling = "senior"
        elif schooling == "none":
            low, high = c.COMPULSORY_AGE
            if not low <= age <= high:
                continue
            # A child of compulsory age out of school: on the school's roll as 辍学.
            schooling, status = ("primary" if age <= 11 else "junior"), "辍学"
        elif rng.random() < plan.person_lists_mismatch:
            status = rng.choice(("休学", "转出"))
        stage, offset, grades, school = STAGES[schooling]
        if schooling == "college" and rng.random() < 0.4:
            stage, grades, school = "本科", 4, rng.choice(("红河学院", "云南农业大学", "昆明学院"))
        rows.append(
            {
                "id_number": member.id_number,
                "name": member.name,
                "school": school.format(
                    county=county.name,
                    township=county.township(member.village),
                    village=county.names[member.village].removesuffix("村"),
                ),
                "stage": stage,
                "grade": min(grades, max(1, age - offset)),
                "enrolment_status": status,
                "school_year": county.year,
            }
        )
    return rows


DISABILITY = {
    "visual": "视力",
    "hearing": "听力",
    "speech": "言语",
    "intellectual": "智力",
    "physical": "肢体",
    "mental": "精神",
    "multiple": "多重",
}


def _disability(county: County, plan: DatasetPlan, rng: random.Random, strangers: Strangers):
    rows: list[Row] = []
    listed = _listed_members(county, plan)
    graded = [m for m in listed if m.health == "disabled" and m.disability_grade]
    # A certificate of another grade (`disability_grade_mismatch`), and certificates of members
    # the registry does not mark disabled (`disabled_unmarked`).
    regraded = {m.id for m in _sample(rng, graded, FLOOR)}
    ungraded = [m for m in listed if m.disability_grade is None and county.age(m) >= 18]
    unmarked = {m.id for m in _sample(rng, ungraded, FLOOR)}
    for member in listed:
        disabled = member.health == "disabled" and member.disability_grade
        if member.id in regraded or member.id in unmarked:
            pass
        elif disabled and rng.random() < 0.1:
            continue  # not every disabled person holds a certificate
        elif not disabled and rng.random() >= plan.person_lists_mismatch / 10:
            continue  # … and a few certificate holders are not marked disabled in the registry
        category = DISABILITY.get(member.disability_category) or rng.choice(
            sorted(DISABILITY.values())
        )
        rows.append(
            {
                "id_number": member.id_number,
                "name": member.name,
                "disability_category": category,
                "certificate_grade": (
                    member.disability_grade % 4 + 1  # another grade: 1 → 2 … 4 → 1
                    if member.id in regraded
                    else member.disability_grade or rng.randint(3, 4)
                ),
                "issued_on": _day(
                    rng, datetime.date(2008, 1, 1), datetime.date(county.year, 12, 31)
                ),
            }
        )
    return rows
