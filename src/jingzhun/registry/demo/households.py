"""Synthetic households: members, incomes, helpers, measures and status history, as plain rows.

Figures follow /work/shared/domain/reference.md §3 (causes, household size, income shares).
The registry is drawn as it stood at the end of 2018 (`REFERENCE_DATE`): ages, schooling and the
2017/2018 incomes are consistent with that day. Registered households either meet the 2018 exit
standard or miss it for chosen reasons (`Gaps`), so the assessment has something to find.
"""

from __future__ import annotations

import datetime
import itertools
import random
from dataclasses import dataclass
from typing import Any

from faker.providers.person.zh_CN import Provider as ChineseNames

from jingzhun import idcodes, namekeys, povertylines
from jingzhun.registry import choices as c
from jingzhun.registry.models import (
    Helper,
    Household,
    Income,
    Measure,
    Person,
    PersonNameKey,
    StatusChange,
)

from .writer import BulkWriter

REFERENCE_DATE = datetime.date(2018, 12, 31)
LINE_2017 = int(povertylines.line(2017) * 100)  # in fen
LINE_2018 = int(povertylines.line(2018) * 100)

# Main causes, weights from reference.md §3.1 (因婚/其他 folded into the rest).
CAUSES = [
    "illness",
    "skills",
    "capital",
    "labour",
    "disability",
    "schooling",
    "motivation",
    "transport",
    "disaster",
    "land",
    "water",
]
CAUSE_WEIGHTS = list(itertools.accumulate([40, 12, 10, 9, 8, 6, 4, 3, 3, 2, 1.5]))
# Household sizes 1..8: ≈ 3.8 persons (16,400 / 4,300) once each village's last household
# is cut to fit its target.
SIZE_WEIGHTS = list(itertools.accumulate([6, 12, 20, 28, 18, 10, 4, 2]))
ETHNICITIES = ["汉族", "彝族", "苗族", "回族", "壮族"]
ETHNICITY_WEIGHTS = list(itertools.accumulate([74, 20, 3, 2, 1]))
SURNAMES = list(ChineseNames.last_names)
SURNAME_WEIGHTS = list(itertools.accumulate(ChineseNames.last_names.values()))
MALE_GIVEN = list(ChineseNames.first_names_male)
FEMALE_GIVEN = list(ChineseNames.first_names_female)
HELPER_UNITS = [
    "县财政局",
    "县教育局",
    "县卫生健康局",
    "县农业农村局",
    "县人社局",
    "县民政局",
    "县住建局",
    "县水务局",
    "县交通运输局",
    "县林草局",
    "县供销社",
    "县农村信用社",
    "县人民医院",
    "县第一中学",
    "乡镇人民政府",
    "县委组织部",
]
MEASURE_TEXT = {
    "industry": ("发放良种和化肥", 800, 3000),
    "employment": ("转移就业培训", 300, 1500),
    "education": ("雨露计划助学补助", 1000, 3000),
    "health": ("医疗救助及先诊疗后付费", 500, 8000),
    "relocation": ("易地扶贫搬迁安置补助", 20000, 60000),
    "housing": ("农村危房改造补助", 10000, 35000),
    "safety_net": ("低保兜底保障", 1000, 4000),
    "credit": ("扶贫小额信贷（5万元以下）", 20000, 50000),
    "ecology": ("生态护林员岗位补助", 3000, 10000),
    "infrastructure": ("入户道路硬化", 2000, 8000),
}
CHILD_RELATIONS = {"son", "daughter", "grandson", "granddaughter"}


@dataclass(frozen=True)
class Gaps:
    """Why a registered household does not (yet) meet the 2018 exit standard."""

    income: bool = False
    income_exactly_line: bool = False
    housing: bool = False
    dropout: bool = False
    uninsured: bool = False
    water: bool = False
    pension: bool = False


def yuan(fen: int) -> str:
    """Money in fen as the decimal text both databases store ("2995.00")."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


class HouseholdGenerator:
    """Draws households into a `BulkWriter`; one per county (ID order codes are per county)."""

    def __init__(self, county: str, writer: BulkWriter, rng: random.Random) -> None:
        self.county = county
        self.writer = writer
        self.rng = rng
        self._id_sequences: dict[tuple[datetime.date, bool], int] = {}
        self._keys_cache: dict[str, list[str]] = {}
        self.persons = 0
        self.households = 0

    # -- small draws ------------------------------------------------------------------------
    def _phone(self) -> str:
        return "1" + self.rng.choice("3578") + f"{self.rng.randrange(10**9):09d}"

    def _given(self, female: bool) -> str:
        pool = FEMALE_GIVEN if female else MALE_GIVEN
        given = self.rng.choice(pool)
        return given + self.rng.choice(pool) if self.rng.random() < 0.55 else given

    def _surname(self) -> str:
        return self.rng.choices(SURNAMES, cum_weights=SURNAME_WEIGHTS)[0]

    def _birth(self, age: int) -> datetime.date:
        # Any day of the year REFERENCE_DATE.year - age: the age on REFERENCE_DATE is exact.
        start = datetime.date(REFERENCE_DATE.year - age, 1, 1)
        return start + datetime.timedelta(days=self.rng.randrange(365))

    def _id_number(self, birth: datetime.date, female: bool) -> str:
        # Order codes run out after 500 people per birth day and sex: move to the next day.
        while (sequence := self._id_sequences.get((birth, female), 0)) >= 500:
            birth += datetime.timedelta(days=1)
        self._id_sequences[(birth, female)] = sequence + 1
        return idcodes.make(self.county, birth, sequence, female=female)

    def _cached_keys(self, text: str) -> list[str]:
        keys = self._keys_cache.get(text)
        if keys is None:
            if len(self._keys_cache) > 200_000:  # bound memory on province-sized runs
                self._keys_cache.clear()
            keys = self._keys_cache[text] = namekeys.name_keys(text)
        return keys

    def _name_keys(self, surname: str, given: str) -> list[str]:
        """`namekeys.name_keys(surname + given)`, composed from cached parts when that is exact.

        pypinyin reads a phrase in context only among a character's own readings, so when both
        parts have a single reading the whole name has exactly their concatenation; other names
        (heteronyms) go through name_keys whole. Saves most pinyin work on 1 M persons.
        """
        first, second = self._cached_keys(surname), self._cached_keys(given)
        if len(first) == 1 and len(second) == 1:
            return [first[0] + second[0]]
        return self._cached_keys(surname + given)

    # -- members ----------------------------------------------------------------------------
    def _members(self, size: int, kind: str) -> list[dict[str, Any]]:
        rng = self.rng
        head_age = rng.randint(62, 85) if kind == "destitute" else rng.randint(26, 76)
        head_female = rng.random() < 0.15
        surname = self._surname()
        members = [{"relation": "head", "age": head_age, "female": head_female, "surname": surname}]
        if size >= 2 and kind != "destitute" and rng.random() < 0.85:
            age = max(20, head_age + rng.randint(-4, 3))
            members.append(
                {
                    "relation": "spouse",
                    "age": age,
                    "female": not head_female,
                    "surname": self._surname(),
                }
            )
        while len(members) < size:
            relations = {m["relation"] for m in members}
            if head_age < 45 and "parent" not in relations and rng.random() < 0.25:
                age = min(95, head_age + rng.randint(22, 32))
                female = rng.random() < 0.6
                members.append(
                    {
                        "relation": "parent",
                        "age": age,
                        "female": female,
                        "surname": self._surname() if female else surname,
                    }
                )
                continue
            sons = [m for m in members if m["relation"] == "son" and m["age"] >= 22]
            if sons and "daughter_in_law" not in relations and rng.random() < 0.6:
                age = max(20, sons[0]["age"] + rng.randint(-3, 2))
                members.append(
                    {
                        "relation": "daughter_in_law",
                        "age": age,
                        "female": True,
                        "surname": self._surname(),
                    }
                )
                continue
            female = rng.random() < 0.48
            if head_age >= 55 and rng.random() < 0.5:
                relation = "granddaughter" if female else "grandson"
                age = rng.randint(0, min(17, head_age - 42))
            else:
                relation = "daughter" if female else "son"
                age = rng.randint(max(0, head_age - 42), max(0, head_age - 20))
            members.append({"relation": relation, "age": age, "female": female, "surname": surname})
        return members

    def _describe(self, member: dict[str, Any], kind: str) -> None:
        """Fill schooling, education, health, labour and insurance from age (in place)."""
        rng = self.rng
        age = member["age"]
        schooling = "none"
        if 3 <= age <= 5:
            schooling = "preschool" if rng.random() < 0.7 else "none"
        elif 6 <= age <= 11:
            schooling = "primary"
        elif 12 <= age <= 14:
            schooling = "junior"
        elif age == 15:
            schooling = rng.choice(("junior", "junior", "senior", "vocational"))
        elif 16 <= age <= 17:
            schooling = rng.choice(("senior", "senior", "vocational", "none"))
        elif 18 <= age <= 21 and rng.random() < 0.15:
            schooling = "college"
        member["schooling"] = schooling
        if age < 6:
            member["education"] = ""
        elif age <= 14:
            member["education"] = "primary"
        elif age <= 17:
            member["education"] = "junior"
        elif age >= 60:
            member["education"] = rng.choice(("illiterate", "illiterate", "primary", "primary"))
        else:
            member["education"] = rng.choices(
                ("illiterate", "primary", "junior", "senior", "vocational", "college"),
                cum_weights=(5, 35, 80, 90, 97, 100),
            )[0]
        health = "healthy"
        if age >= 16:
            roll = rng.random()
            if roll < (0.25 if age >= 60 else 0.08):
                health = "chronic"
            elif roll < (0.31 if age >= 60 else 0.11):
                health = "serious"
            elif roll < (0.37 if age >= 60 else 0.15):
                health = "disabled"
        member["health"] = health
        member["medical_insured"] = True
        # Premiums of the poor are paid by the county, so everyone due is enrolled unless the
        # household draws the pension gap (the 2018 Yunnan standard's fifth indicator).
        member["pension_insured"] = age >= 16 and schooling == "none"
        member["dibao"] = kind == "dibao"
        member["destitute"] = kind == "destitute"

    def _labour(self, member: dict[str, Any]) -> None:
        rng, age, health = self.rng, member["age"], member["health"]
        grade = member.get("disability_grade")
        if age < 16 or member["schooling"] != "none" or age >= 70:
            labour = "none"
        elif health == "disabled":
            labour = "lost" if grade and grade <= 2 else "partial"
        elif health == "serious":
            labour = rng.choice(("partial", "lost"))
        elif age >= 60 or health == "chronic":
            labour = "partial"
        else:
            labour = "skilled" if rng.random() < 0.15 else "ordinary"
        member["labour"] = labour
        if labour in ("ordinary", "skilled") and age <= 55 and rng.random() < 0.55:
            member["work_status"] = rng.choices(
                ("in_county", "in_province", "out_of_province"), cum_weights=(40, 75, 100)
            )[0]
            member["work_months"] = rng.randint(3, 12)

    def _make_disabled(self, member: dict[str, Any]) -> None:
        member["health"] = "disabled"
        member["disability_grade"] = self.rng.randint(1, 4)
        member["disability_category"] = self.rng.choice(c.DisabilityCategory.values)

    # -- the household ----------------------------------------------------------------------
    def household(
        self,
        village: str,
        serial: int,
        size: int,
        *,
        status: str,
        gaps: Gaps | None = None,
        grow: bool = False,
    ) -> int:
        """Write one household with everything that hangs off it; return its member count.

        `grow` lets a dropout gap add a child to a household that has none (one more member).
        """
        rng, writer = self.rng, self.writer
        gaps = gaps or Gaps()
        poor = status in (c.Status.REGISTERED, c.Status.RELAPSED)
        roll = rng.random()
        kind = "destitute" if roll < 0.05 else "dibao" if roll < 0.25 else "ordinary"
        if kind == "destitute":
            size = min(size, 2)
        members = self._members(size, kind)
        for member in members:
            self._describe(member, kind)
            if member["health"] == "disabled":
                self._make_disabled(member)

        cause = rng.choices(CAUSES, cum_weights=CAUSE_WEIGHTS)[0]
        adults = [m for m in members if m["age"] >= 16]
        if cause == "illness" and not any(m["health"] in ("chronic", "serious") for m in adults):
            rng.choice(adults)["health"] = rng.choice(("chronic", "serious"))
        elif cause == "disability" and not any(m["health"] == "disabled" for m in members):
            self._make_disabled(rng.choice(adults))
        elif cause == "schooling" and not any(m["schooling"] != "none" for m in members):
            cause = "skills"
        others = sorted(rng.sample([x for x in CAUSES if x != cause], rng.choice((0, 1, 1, 2))))

        # Gaps that live on members: a dropout child aged 6–15, an uninsured member.
        children = [m for m in members if m["relation"] in CHILD_RELATIONS]
        if gaps.dropout and not children and grow:
            female = rng.random() < 0.5
            child = {
                "relation": "daughter" if female else "son",
                "age": 10,
                "female": female,
                "surname": members[0]["surname"],
            }
            self._describe(child, kind)
            members.append(child)
            children = [child]
        if gaps.dropout and children:
            child = rng.choice(children)
            child.update(age=rng.randint(8, 14), schooling="none", education="primary")
            child.update(health="healthy", disability_grade=None, disability_category="")
            child.update(pension_insured=False)
        if gaps.uninsured:
            rng.choice(members).update(medical_insured=False)
        due = [m for m in members if m["pension_insured"]]
        if gaps.pension and due:
            rng.choice(due).update(pension_insured=False)
        for member in members:
            self._labour(member)

        household_id = writer.next_id(Household)
        entry_year, exit_year = self._years(status)
        writer.add(
            Household,
            {
                "id": household_id,
                "number": f"{village}{serial:04d}",
                "village_id": village,
                "hamlet": f"{rng.randint(1, 12)}组",
                "phone": self._phone(),
                "bank_name": "农村信用社",
                "bank_account": "6224" + f"{rng.randrange(10**15):015d}",
                "kind": kind,
                "main_cause": cause,
                "other_causes": ",".join(others),
                "entry_year": entry_year,
                "exit_year": exit_year,
                "status": status,
                "military_family": rng.random() < 0.01,
                "only_child": rng.random() < 0.05,
                "two_daughters": rng.random() < 0.04,
                "relocated": (relocated := rng.random() < 0.08),
                "relocation_method": rng.choice(("centralised", "scattered")) if relocated else "",
                "relocation_year": rng.choice((2016, 2017, 2018)) if relocated else None,
                "arable_land_mu": yuan(rng.randrange(50, 800)),
                "irrigated_mu": yuan(rng.randrange(0, 200)),
                "forest_mu": yuan(rng.randrange(0, 1000)),
                "returned_farmland_mu": yuan(rng.randrange(0, 100)),
                "orchard_mu": yuan(rng.randrange(0, 150)),
                "road_distance_km": yuan(rng.randrange(0, 300)),
                "road_surface": rng.choice(("cement", "cement", "asphalt", "gravel", "dirt")),
                "housing_area_m2": yuan(rng.randrange(2000, 16000)),
                "housing_grade": rng.choice("CD") if gaps.housing else rng.choice("AAB"),
                "water_safe": not gaps.water,
                "water_difficulty": gaps.water and rng.random() < 0.7,
                "fuel": rng.choice(("firewood", "firewood", "coal", "gas", "electricity")),
                "cooperative": rng.random() < 0.3,
                "sanitary_toilet": rng.random() < 0.6,
            },
        )
        for member in members:
            self._person(household_id, member)
        self._incomes(household_id, members, kind, poor, gaps)
        self._helpers_and_measures(household_id, kind, entry_year, gaps)
        self._history(household_id, status, entry_year, exit_year)
        self.households += 1
        self.persons += len(members)
        return len(members)

    def _years(self, status: str) -> tuple[int, int | None]:
        rng = self.rng
        if status == c.Status.EXITED:
            exit_year = rng.choice((2016, 2017, 2017, 2018, 2018, 2018))
            return rng.randint(2014, min(2015, exit_year - 1)), exit_year
        if status == c.Status.RELAPSED:
            return 2014, rng.choice((2016, 2017))
        if status == c.Status.DEREGISTERED:
            return rng.choice((2014, 2015)), None
        if status == c.Status.MONITORED:
            return 2019, None
        return rng.choices((2014, 2015, 2016, 2017, 2018), cum_weights=(70, 82, 90, 96, 100))[
            0
        ], None

    def _person(self, household_id: int, member: dict[str, Any]) -> None:
        rng = self.rng
        female = member["female"]
        birth = self._birth(member["age"])
        given = self._given(female)
        name = member["surname"] + given
        person_id = self.writer.next_id(Person)
        age = member["age"]
        political = "masses"
        if age >= 18 and rng.random() < 0.04:
            political = "party"
        elif 14 <= age <= 28 and rng.random() < 0.15:
            political = "league"
        self.writer.add(
            Person,
            {
                "id": person_id,
                "household_id": household_id,
                "name": name,
                "id_number": self._id_number(birth, female),
                "sex": "female" if female else "male",
                "birth_date": birth,
                "relation": member["relation"],
                "ethnicity": rng.choices(ETHNICITIES, cum_weights=ETHNICITY_WEIGHTS)[0],
                "political": political,
                "education": member["education"],
                "schooling": member["schooling"],
                "health": member["health"],
                "disability_grade": member.get("disability_grade"),
                "disability_category": member.get("disability_category", ""),
                "labour": member["labour"],
                "work_status": member.get("work_status", "none"),
                "work_months": member.get("work_months", 0),
                "medical_insured": member["medical_insured"],
                "serious_illness_insured": member["medical_insured"],
                "pension_insured": member["pension_insured"],
                "dibao": member["dibao"],
                "destitute": member["destitute"],
                "active_soldier": not female and 18 <= age <= 24 and rng.random() < 0.01,
            },
        )
        for key in self._name_keys(member["surname"], given):
            self.writer.add(
                PersonNameKey,
                {"id": self.writer.next_id(PersonNameKey), "person_id": person_id, "key": key},
            )

    def _incomes(
        self, household_id: int, members: list[dict[str, Any]], kind: str, poor: bool, gaps: Gaps
    ) -> None:
        rng = self.rng
        if gaps.income_exactly_line:
            per_capita = LINE_2018  # the edge: "at the line" is not above it
        elif gaps.income:
            per_capita = rng.randint(150_000, LINE_2018 - 1)
        elif poor:
            # Registered but above the line; a few a single fen above it (the other edge).
            per_capita = LINE_2018 + 1 if rng.random() < 0.01 else rng.randint(310_000, 750_000)
        else:
            per_capita = rng.randint(360_000, 1_200_000)
        elderly = sum(1 for m in members if m["age"] >= 60)
        count = len(members)
        for year, pc in ((2018, per_capita), (2017, int(per_capita * rng.uniform(0.82, 0.95)))):
            if year == 2017 and not poor:
                pc = max(pc, LINE_2017 + rng.randint(5_000, 60_000))
            self.writer.add(
                Income,
                {
                    "id": self.writer.next_id(Income),
                    "household_id": household_id,
                    **income_parts(rng, pc, count, kind, elderly, year),
                },
            )

    def _helpers_and_measures(
        self, household_id: int, kind: str, entry_year: int, gaps: Gaps
    ) -> None:
        rng, writer = self.rng, self.writer
        helper_name = self._surname() + self._given(rng.random() < 0.4)
        writer.add(
            Helper,
            {
                "id": writer.next_id(Helper),
                "household_id": household_id,
                "name": helper_name,
                "unit": "泸西" + rng.choice(HELPER_UNITS)
                if self.county == "532527"
                else rng.choice(HELPER_UNITS),
                "phone": self._phone(),
            },
        )
        kinds = rng.sample(list(MEASURE_TEXT), rng.choice((1, 2, 2, 3)))
        if kind != "ordinary" and "safety_net" not in kinds:
            kinds.append("safety_net")
        if gaps.housing and "housing" in kinds:
            kinds.remove("housing")  # a C/D house still standing has not had its renovation
        for measure in kinds:
            text, low, high = MEASURE_TEXT[measure]
            writer.add(
                Measure,
                {
                    "id": writer.next_id(Measure),
                    "household_id": household_id,
                    "kind": measure,
                    "year": rng.randint(max(entry_year, 2015), max(entry_year, 2018)),
                    "amount": yuan(rng.randint(low, high) * 100),
                    "description": text,
                },
            )

    def _history(self, household_id: int, status: str, entry_year: int, exit_year: int | None):
        writer, rng = self.writer, self.rng
        steps: list[tuple[datetime.date, str, str, str]] = []
        first = "monitored" if status == c.Status.MONITORED else "registered"
        reason = "纳入防止返贫监测" if first == "monitored" else "建档立卡识别"
        steps.append((datetime.date(entry_year, 10, rng.randint(1, 28)), "", first, reason))
        if exit_year:
            steps.append(
                (
                    datetime.date(exit_year, 12, rng.randint(1, 28)),
                    "registered",
                    "exited",
                    "达到脱贫标准，公示无异议后退出",
                )
            )
        if status == c.Status.RELAPSED:
            steps.append(
                (
                    datetime.date(2018, rng.randint(3, 11), rng.randint(1, 28)),
                    "exited",
                    "relapsed",
                    "因病返贫",
                )
            )
        if status == c.Status.DEREGISTERED:
            steps.append(
                (
                    datetime.date(entry_year + 1, 6, rng.randint(1, 28)),
                    "registered",
                    "deregistered",
                    "识别不精准，经核查清退",
                )
            )
        for date, old, new, why in steps:
            writer.add(
                StatusChange,
                {
                    "id": writer.next_id(StatusChange),
                    "household_id": household_id,
                    "date": date,
                    "old_status": old,
                    "new_status": new,
                    "reason": why,
                },
            )


def income_parts(
    rng: random.Random, per_capita: int, members: int, kind: str, elderly: int, year: int
) -> dict[str, Any]:
    """One Income row whose parts sum exactly to `per_capita × members` (fen), as `recompute()`.

    Shares for registered households (reference.md §3.4): wages 45–60 %, operating 15–30 %,
    transfers 20–35 %, property 0–3 %; safety-net households lean on transfers.
    """
    net = per_capita * members
    transfer_share = rng.uniform(0.2, 0.35) if kind == "ordinary" else rng.uniform(0.45, 0.7)
    transfer = int(net * transfer_share)
    dibao = min(transfer, members * rng.randint(1800, 2600) * 100) if kind == "dibao" else 0
    destitute = min(transfer - dibao, 500_000) if kind == "destitute" else 0
    pension = min(transfer - dibao - destitute, elderly * 12 * 10_300)
    eco = min(transfer - dibao - destitute - pension, rng.randint(0, 600) * 100)
    family_planning = 0
    if rng.random() < 0.05:
        family_planning = min(transfer - dibao - destitute - pension - eco, 96_000)
    other = transfer - dibao - destitute - pension - eco - family_planning
    property_income = int(net * rng.uniform(0, 0.03))
    operating_net = int(net * rng.uniform(0.15, 0.3))
    wage = net - transfer - property_income - operating_net  # absorbs the rounding
    if wage < 0:  # transfer-heavy households: farming takes what is left, no wages
        operating_net, wage = operating_net + wage, 0
    expenses = int(operating_net * rng.uniform(0.25, 0.6))
    return {
        "year": year,
        "members_count": members,
        "wage_income": yuan(wage),
        "operating_income": yuan(operating_net + expenses),
        "operating_expenses": yuan(expenses),
        "property_income": yuan(property_income),
        "dibao_income": yuan(dibao),
        "destitute_income": yuan(destitute),
        "pension_income": yuan(pension),
        "eco_compensation": yuan(eco),
        "family_planning_award": yuan(family_planning),
        "other_transfer": yuan(other),
        "transfer_income": yuan(transfer),
        "net_income": yuan(net),
        "income_per_capita": yuan(per_capita),
    }
