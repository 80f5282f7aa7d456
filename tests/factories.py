"""Factories for tests: a real area chain under 泸西县 and households with valid ID numbers."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import factory

from jingzhun import idcodes, namekeys
from jingzhun.accounts.models import User
from jingzhun.areas.models import Area
from jingzhun.registry.models import Household, Income, Person, PersonNameKey

_sequence = itertools.count(1)


def area_chain(county: str = "532527", township: str = "100", village: str = "201") -> Area:
    """Province → city → county → township → village, created as needed; returns the village."""
    codes = [
        (county[:2].ljust(12, "0"), "province", "云南省"),
        (county[:4].ljust(12, "0"), "city", "红河州"),
        (county.ljust(12, "0"), "county", "泸西县"),
        ((county + township).ljust(12, "0"), "township", f"{township}镇"),
        (county + township + village, "village", f"{township}镇{village}村"),
    ]
    parent = None
    for code, level, name in codes:
        parent, _ = Area.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "level": level,
                "parent": parent,
                "rural_population": 1000 if level == "village" else None,
            },
        )
    return parent


# Birthplace codes valid for births 1925–2025 (python-stdnum's table), the first four as before.
PLACES = [
    "532527", "532501", "530102", "532522", "530103", "530111", "530112", "530113", "530114",
    "530121", "530122", "530124", "530125", "530126", "530127", "530128", "530129", "530181",
    "530302", "530321", "530322", "530323", "530324", "530325",
]  # fmt: skip


def id_number(birth: datetime.date = datetime.date(1980, 1, 1), *, female: bool = False) -> str:
    """A fresh valid ID number (unique within a test run)."""
    n = next(_sequence)
    # 500 order codes per birthplace; the birth date moves only after every place is used, so
    # tests that read the date back stay right however many persons the run has made.
    place = PLACES[n // 500 % len(PLACES)]
    day = birth + datetime.timedelta(days=n // (500 * len(PLACES)))
    return idcodes.make(place, day, n % 500, female=female)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-123456")
    role = "county_admin"
    area = factory.LazyFunction(lambda: Area.objects.get(code="532527000000"))


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    number = factory.Sequence(lambda n: f"53252710020100{n:04d}")
    village = factory.LazyFunction(area_chain)
    main_cause = "illness"
    entry_year = 2015


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True  # the keys hook writes its own rows

    household = factory.SubFactory(HouseholdFactory)
    name = "张三"
    relation = "head"
    birth_date = datetime.date(1980, 1, 1)
    sex = "male"
    id_number = factory.LazyAttribute(lambda o: id_number(o.birth_date, female=o.sex == "female"))

    @factory.post_generation
    def keys(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            PersonNameKey.objects.bulk_create(
                PersonNameKey(person=self, key=k) for k in namekeys.name_keys(self.name)
            )


class IncomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Income

    household = factory.SubFactory(HouseholdFactory)
    year = 2018
    members_count = 3
    wage_income = Decimal("6000")
    operating_income = Decimal("3000")
    operating_expenses = Decimal("500")

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> Income:
        income = model_class(*args, **kwargs)
        income.recompute()
        income.save()
        return income
