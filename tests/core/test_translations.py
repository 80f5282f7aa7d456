"""English that fits: every role, every choice and every string marked for translation has an
English translation (source strings are Chinese: a missing one shows Chinese in the English UI)."""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.db import models
from django.urls import reverse
from django.utils import translation

import jingzhun
from jingzhun.accounts.choices import Role
from jingzhun.areas.models import Area
from tests.comparison.conftest import county  # noqa: F401  (department files about a household)

SOURCE = Path(jingzhun.__file__).resolve().parent
CATALOGUE = SOURCE / "locale" / "en" / "LC_MESSAGES" / "django.po"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def english(label: object) -> str:
    with translation.override("en"):
        return str(label)


def all_choices() -> list[type[models.Choices]]:
    """Every Choices class of the project: the apps' choices modules, and any other module the
    apps import (procedures/flows.py, audit/models.py …)."""
    for module in pkgutil.iter_modules([str(SOURCE)]):
        if (SOURCE / module.name / "choices.py").is_file():
            importlib.import_module(f"jingzhun.{module.name}.choices")
    found: list[type[models.Choices]] = []
    pending = list(models.Choices.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("jingzhun.") and cls.choices:
            found.append(cls)
    return sorted(found, key=lambda cls: (cls.__module__, cls.__qualname__))


def test_every_role_is_in_english():
    assert {role.value: english(role.label) for role in Role} == {
        "county_admin": "County administrator",
        "township_operator": "Township operator",
        "village_operator": "Village operator",
        "viewer": "Read-only user",
    }


def test_the_choices_are_found():
    names = {f"{cls.__module__}.{cls.__qualname__}" for cls in all_choices()}
    assert {
        "jingzhun.accounts.choices.Role",
        "jingzhun.registry.choices.Status",
        "jingzhun.procedures.flows.Kind",
        "jingzhun.audit.models.Action",
    } <= names


def test_every_choice_label_is_in_english():
    missing = [
        f"{cls.__module__}.{cls.__qualname__}.{member.name}: {english(member.label)}"
        for cls in all_choices()
        for member in cls
        if CJK.search(english(member.label))
    ]
    assert missing == []


def test_the_catalogue_is_complete():
    """No entry untranslated or fuzzy (a fuzzy entry is not used: the page shows Chinese)."""
    catalogue = polib.pofile(str(CATALOGUE))
    assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []


def test_the_compiled_catalogue_is_current():
    """The .mo holds what the .po says (compilemessages was run after the last edit)."""
    compiled = {
        (entry.msgctxt, entry.msgid): entry.msgstr
        for entry in polib.mofile(str(CATALOGUE.with_suffix(".mo")))
    }
    written = {
        (entry.msgctxt, entry.msgid): entry.msgstr
        for entry in polib.pofile(str(CATALOGUE)).translated_entries()
        if not entry.msgid_plural
    }
    assert {key: text for key, text in written.items() if compiled.get(key) != text} == {}


@pytest.mark.slow
def test_every_marked_string_is_in_the_catalogue(tmp_path):
    """makemessages over a copy of the sources finds no string the catalogue lacks: a string
    marked since the last makemessages would show in Chinese in the English UI."""
    if shutil.which("xgettext") is None:
        pytest.skip("GNU gettext (xgettext) is not installed")
    copy = tmp_path / "jingzhun"
    shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns("static", "__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "en", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
    )
    extracted = {entry.msgid for entry in polib.pofile(str(copy / CATALOGUE.relative_to(SOURCE)))}
    known = {entry.msgid for entry in polib.pofile(str(CATALOGUE)) if not entry.obsolete}
    assert sorted(extracted - known) == []


@pytest.mark.django_db
def test_a_verification_task_reads_its_finding_in_the_users_language(client, county):  # noqa: F811
    """The finding's sentence is stored in both languages; the task page shows the user's."""
    from jingzhun.comparison.models import VerificationTask
    from jingzhun.comparison.runs import create_run, execute_run
    from tests.factories import UserFactory

    clerk = UserFactory(role="county_admin", area=Area.objects.get(code="532527000000"))
    execute_run(create_run(ruleset_id="national-2016", year=2019, acting_user=clerk))
    task = VerificationTask.objects.select_related("finding").get(finding__rule="vehicle")
    client.force_login(clerk)
    url = reverse("comparison-task", args=[task.pk])
    sentence = re.compile(r'<p id="task-sentence">([^<]*)</p>')
    assert sentence.findall(client.get(url).content.decode()) == [task.finding.sentence]
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302
    english_page = client.get(url).content.decode()
    assert sentence.findall(english_page) == [task.finding.sentence_en]
    assert task.finding.sentence_en.startswith("Member ")


@pytest.mark.django_db
def test_words_shared_by_a_button_and_the_audit_log_read_as_actions(client, viewer):
    """导出 is a read-only user's menu and an audit action; 删除 a button and an audit action:
    one msgid each, so the English must serve both ("Export", not "Exported")."""
    client.force_login(viewer)
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302
    page = client.get(reverse("home")).content.decode()
    assert re.findall(r"<summary>([^<]*)</summary>", page) == ["Export"]
    with translation.override("en"):
        assert (translation.gettext("导出"), translation.gettext("删除")) == ("Export", "Delete")
