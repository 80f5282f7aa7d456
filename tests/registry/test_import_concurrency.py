"""Issue #11 item 6: an import holds SQLite's write lock only while it writes, re-checks when
someone wrote meanwhile, and a write that waited out the lock answers 503 "retry", never 500."""

from __future__ import annotations

import datetime
import sqlite3

import pytest
from django.db import connection
from django.urls import reverse

from jingzhun.audit.models import AuditEntry
from jingzhun.imports.models import ImportJob
from jingzhun.registry import services
from jingzhun.registry.excel import checks, import_workbook
from jingzhun.registry.models import Household, Person
from jingzhun.workbook.progress import WRITING
from tests.api.conftest import client_for
from tests.factories import HouseholdFactory, PersonFactory, id_number
from tests.registry.test_excel_import import HH, household, person, simple_file, workbook
from tests.registry.test_views import form_post_data

pytestmark = pytest.mark.django_db(transaction=True)
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's one-writer lock (PostgreSQL locks rows)"
)


def write_lock_is_free() -> bool:
    """Whether another connection can take SQLite's write lock now."""
    other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0.5)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


def during_the_check(monkeypatch, action) -> list:
    """Run `action` in the middle of the import's first check (after the households and persons
    were looked up, before the members are): the moment a concurrent edit could land."""
    original, seen = checks.Importer.members, []

    def members(self, rows):
        if not seen:
            seen.append(action())
        return original(self, rows)

    monkeypatch.setattr(checks.Importer, "members", members)
    return seen


@sqlite_only
def test_the_check_leaves_the_database_to_other_writers(monkeypatch, county_admin):
    seen = during_the_check(monkeypatch, write_lock_is_free)

    result = import_workbook(simple_file(), acting_user=county_admin)

    assert result.ok and result.batch
    assert seen == [True]  # the old import checked inside its write transaction: False
    assert not result.rechecked


def test_a_change_made_during_the_check_is_seen_before_writing(monkeypatch, county_admin, village):
    """Someone registers the same household while the file is checked: the import re-checks
    inside its transaction and updates it, instead of inserting a second 户编号 (an
    IntegrityError, a 500) or overwriting what it did not see."""
    head = id_number(datetime.date(1970, 3, 4))
    content = workbook({"户": [household(军烈属="是")], "成员": [person(head)]})

    def register():
        return services.create_household(
            {"number": HH, "village": village, "main_cause": "illness", "entry_year": 2015},
            [{"name": "张三", "id_number": head, "relation": "head", "sex": "male"}],
            acting_user=county_admin,
        )

    during_the_check(monkeypatch, register)

    result = import_workbook(content, acting_user=county_admin)

    assert result.ok and result.rechecked, result.errors
    households, persons = result.counts["户"], result.counts["成员"]
    assert (households.created, households.updated) == (0, 1)
    assert (persons.created, persons.unchanged + persons.updated) == (0, 1)
    assert Household.objects.get(number=HH).military_family
    assert Person.objects.filter(household__number=HH).count() == 1


def test_an_edit_of_a_household_the_check_read_makes_it_check_again(
    monkeypatch, county_admin, village
):
    """The file changes a registered household's group; someone changes it too while the file is
    checked: the import's trail records the change from what was there when it wrote."""
    registered = HouseholdFactory(number=HH, village=village, hamlet="三组")
    head = PersonFactory(household=registered, relation="head")
    content = workbook(
        {"户": [household(**{"自然村/组": "九组"})], "成员": [person(head.id_number)]}
    )

    def edit():
        return services.update_household(
            Household.objects.get(pk=registered.pk), {"hamlet": "七组"}, acting_user=county_admin
        )

    during_the_check(monkeypatch, edit)

    result = import_workbook(content, acting_user=county_admin)

    assert result.ok and result.rechecked
    registered.refresh_from_db()
    assert registered.hamlet == "九组"
    entry = AuditEntry.objects.get(batch=result.batch, action="update", model="registry.household")
    assert entry.changes["hamlet"] == ["七组", "九组"]  # not ["三组", "九组"]


def test_edits_elsewhere_in_the_county_leave_the_check_valid(monkeypatch, county_admin, village):
    """The common case while a county's file is checked: other households are edited. The
    write goes ahead without checking again (it used to hold the lock for the whole check)."""
    elsewhere = HouseholdFactory(number="532527100201000099", village=village, hamlet="三组")
    PersonFactory(household=elsewhere, relation="head")

    def edit():
        return services.update_household(
            Household.objects.get(pk=elsewhere.pk), {"hamlet": "七组"}, acting_user=county_admin
        )

    during_the_check(monkeypatch, edit)

    result = import_workbook(simple_file(), acting_user=county_admin)

    assert result.ok and not result.rechecked, result.errors
    elsewhere.refresh_from_db()
    assert elsewhere.hamlet == "七组"


def test_a_read_or_export_during_the_check_does_not_make_it_recheck(monkeypatch, county_admin):
    during_the_check(monkeypatch, lambda: client_for(county_admin).get("/api/households/"))

    result = import_workbook(simple_file(), acting_user=county_admin)

    assert result.ok and not result.rechecked, result.errors


@pytest.fixture
def edited(village):
    """The household someone edits while an import writes."""
    edited = HouseholdFactory(village=village, hamlet="三组")
    PersonFactory(household=edited, name="张三")
    return edited


@pytest.fixture
def locked(settings):
    """Another process holds the write lock (an import writing); this process waits 0.3 s."""
    connection.close()
    options = connection.settings_dict["OPTIONS"]
    saved = options.get("timeout")
    options["timeout"] = 0.3
    holder = sqlite3.connect(connection.settings_dict["NAME"])
    yield holder
    holder.rollback()
    holder.close()
    options["timeout"] = saved
    connection.close()


def take(holder: sqlite3.Connection) -> None:
    holder.execute("BEGIN IMMEDIATE")


@sqlite_only
def test_an_edit_that_waited_out_the_lock_answers_503_and_saves_nothing(
    client, township_operator, edited, locked
):
    client.force_login(township_operator)
    url = reverse("household-edit", args=[edited.pk])
    data = form_post_data(client.get(url).context["form"])
    take(locked)

    response = client.post(url, data | {"hamlet": "七组"})

    assert response.status_code == 503  # was 500 ("database is locked")
    assert response["Retry-After"] == "10"
    page = response.content.decode()
    assert "数据库正忙，请稍后重试。您刚才的操作未保存。" in page
    locked.rollback()
    edited.refresh_from_db()
    assert edited.hamlet == "三组"


@sqlite_only
def test_while_an_import_writes_the_message_says_so(client, township_operator, edited, locked):
    ImportJob.objects.create(
        owner=township_operator,
        kind="registry.workbook",
        file_name="全县.xlsx",
        status="running",
        step=WRITING,
    )
    api = client_for(township_operator)
    take(locked)

    response = api.patch(f"/api/households/{edited.pk}/", {"hamlet": "七组"})

    assert response.status_code == 503
    assert response.json() == {"detail": "导入进行中，请稍后重试。您刚才的操作未保存。"}
