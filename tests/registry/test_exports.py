"""The 导出 Excel button: small exports answer the file at once, large ones become background
exports (queued, written by the task worker with progress, downloaded from their page)."""

from __future__ import annotations

import io
import stat

import openpyxl
import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from jingzhun.audit.models import Action, AuditEntry
from jingzhun.exports.models import ExportJob
from jingzhun.exports.services import export_dir
from jingzhun.registry import views_excel
from jingzhun.registry.excel import export_workbook
from jingzhun.registry.models import Helper, Household, Income, Measure, Person
from tests.factories import HouseholdFactory, IncomeFactory, PersonFactory
from tests.worker import task_worker


def values(content: bytes) -> dict[str, list[tuple]]:
    """Every sheet's rows (values only) of a workbook."""
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def households(village, other_village, count: int = 3) -> None:
    """`count` households with two members and an income each in `village`, one elsewhere."""
    for _ in range(count):
        h = HouseholdFactory(village=village, status="registered")
        PersonFactory(household=h, name="张三")
        PersonFactory(household=h, name="李梅", relation="spouse", sex="female")
        IncomeFactory(household=h)
    HouseholdFactory(village=other_village, status="exited")


@pytest.fixture
def home(settings, tmp_path):
    settings.HOME = tmp_path
    return tmp_path


def test_small_export_stays_one_click(client, village, other_village, county_admin, home):
    households(village, other_village)
    client.force_login(county_admin)
    response = client.post(reverse("registry-export") + "?status=registered")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = values(response.content)
    assert len(rows["户"]) == 1 + 3 and len(rows["成员"]) == 1 + 6
    assert not ExportJob.objects.exists()
    entry = AuditEntry.objects.get(action=Action.EXPORT)
    assert entry.changes["filter"] == {"status": ["registered"]}
    # A link (GET) still answers the file for a small export.
    assert client.get(reverse("registry-export"), {"status": "exited"}).status_code == 200


def test_list_page_button_posts_the_filter(client, village, county_admin):
    client.force_login(county_admin)
    page = client.get(reverse("household-list"), {"status": "registered"}).content.decode()
    assert 'id="export-form"' in page
    assert 'method="post" action="/registry/export.xlsx?status=registered"' in page


def test_large_export_by_link_asks_before_queuing(
    client, village, other_village, county_admin, home, monkeypatch
):
    households(village, other_village)
    monkeypatch.setattr(views_excel, "SYNC_EXPORT_MAX_HOUSEHOLDS", 2)
    client.force_login(county_admin)
    page = client.get(reverse("registry-export"), {"status": "registered"})
    assert page.status_code == 200
    assert 'action="/registry/export.xlsx?status=registered"' in page.content.decode()
    assert not ExportJob.objects.exists() and not AuditEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_large_export_runs_in_the_background(
    client, village, other_village, county_admin, home, monkeypatch
):
    households(village, other_village)
    monkeypatch.setattr(views_excel, "SYNC_EXPORT_MAX_HOUSEHOLDS", 2)
    client.force_login(county_admin)

    response = client.post(reverse("registry-export") + "?status=registered")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exports/{job.pk}/"
    # Recorded and queued, nothing written: the request does not do the work.
    assert (job.status, job.owner, job.kind) == ("queued", county_admin, "registry.households")
    assert job.parameters == {"status": ["registered"]}
    assert DBTaskResult.objects.get().args_kwargs == {"args": [job.pk], "kwargs": {}}
    assert not AuditEntry.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert 'data-status="queued"' in page and 'hx-trigger="every 2s"' in page

    task_worker().run()

    job.refresh_from_db()
    rows = 3 + 6 + 3  # households + persons + incomes (no helpers or measures)
    assert (
        rows
        == sum(
            m.objects.filter(household__status="registered").count()
            for m in (Person, Income, Helper, Measure)
        )
        + Household.objects.filter(status="registered").count()
    )
    assert (job.status, job.done, job.total, job.error) == ("finished", rows, rows, "")
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    path = export_dir() / job.stored_name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(export_dir().stat().st_mode) == 0o700
    assert path.parent == home / "exports"
    # Audited when written, as the synchronous export: actor the owner, the filter, the counts.
    written = AuditEntry.objects.get()
    assert (written.action, written.actor, written.model) == (
        "export",
        county_admin,
        "registry.household",
    )
    assert written.changes["filter"] == {"status": ["registered"]}
    assert written.changes["counts"]["户"] == 3 and written.changes["counts"]["成员"] == 6

    fragment = client.get(reverse("export-progress", args=[job.pk])).content.decode()
    assert 'data-status="finished"' in fragment and "hx-trigger" not in fragment
    assert reverse("export-download", args=[job.pk]) in fragment

    download = client.get(reverse("export-download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="registry-')
    content = b"".join(download.streaming_content)
    assert content == path.read_bytes()  # byte for byte the file written
    synchronous = export_workbook(
        Household.objects.filter(status="registered"), acting_user=county_admin
    )
    assert values(content) == values(synchronous)
    assert len(values(content)["户"]) == 1 + 3
    # The download is audited too: another entry, naming the job.
    fetched = AuditEntry.objects.filter(model="exports.exportjob").get()
    assert (fetched.action, fetched.actor, fetched.object_id) == (
        "export",
        county_admin,
        str(job.pk),
    )
    assert fetched.changes["download"] is True and fetched.changes["rows"] == rows


def test_progress_callback_reports_rows_and_changes_nothing(village, other_village, county_admin):
    households(village, other_village)
    calls: list[tuple[int, int]] = []
    content = export_workbook(
        Household.objects.all(),
        acting_user=county_admin,
        progress=lambda done, total: calls.append((done, total)),
        progress_every=4,
    )
    rows = 4 + 6 + 3  # the county admin sees all 4 households; 6 persons; 3 incomes
    assert calls == [(0, rows), (4, rows), (8, rows), (12, rows), (rows, rows)]
    plain = export_workbook(Household.objects.all(), acting_user=county_admin)
    assert values(content) == values(plain)
