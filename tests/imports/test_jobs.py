"""Import jobs: a page's upload imported in the request (small) or by the task worker (large),
its result and error file for its uploader alone, failures, abandoned jobs."""

from __future__ import annotations

import datetime
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from jingzhun.imports import kinds, views
from jingzhun.imports.models import ImportJob
from jingzhun.imports.services import mark_abandoned
from jingzhun.imports.tasks import start_job
from jingzhun.registry.models import Household, Person
from jingzhun.workbook.progress import CHECKING, READING, WRITING
from jingzhun.workbook.web import imports_dir
from tests.factories import UserFactory
from tests.registry.test_excel_import import HH, household, simple_file, workbook
from tests.worker import task_worker

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def owner(village):
    return UserFactory(role="county_admin", area=village.parent.parent)


def upload(content: bytes, name: str = "户表.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX)


def bad_file() -> bytes:
    return workbook({"户": [household(所在行政村代码="999999999999")]})


def test_a_small_upload_is_imported_in_the_request(client, owner, settings):
    settings.IMPORT_SYNC_MAX_BYTES = 1 << 20
    client.force_login(owner)

    response = client.post(reverse("registry-import"), {"file": upload(simple_file())})

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{job.pk}/"
    assert (job.status, job.step, job.file_name) == ("finished", WRITING, "户表.xlsx")
    assert job.result["counts"][0] == ["户", 1, 0, 0]
    assert job.result["batch"] and set(job.result["timings"]) == {"read", "check", "plan", "write"}
    assert Household.objects.filter(number=HH).exists()
    assert list(imports_dir().iterdir()) == []  # the upload is gone once imported
    page = client.get(response["Location"]).content.decode()
    assert "导入完成" in page and "<td>户</td><td>1</td><td>0</td><td>0</td>" in page


@pytest.mark.django_db(transaction=True)
def test_a_large_upload_is_queued_and_the_worker_imports_it(client, owner, settings):
    settings.IMPORT_SYNC_MAX_BYTES = 1024  # the file is ~8 KB
    client.force_login(owner)

    response = client.post(reverse("registry-import"), {"file": upload(simple_file())})

    job = ImportJob.objects.get()
    assert job.status == "queued" and not Household.objects.exists()
    queued = client.get(response["Location"]).content.decode()
    assert "等待后台任务进程" in queued and 'hx-get="/imports/' in queued
    assert [p.name for p in imports_dir().iterdir()] == [job.stored_name]

    task_worker().run()

    job.refresh_from_db()
    assert (job.status, job.stored_name) == ("finished", "")
    assert Person.objects.count() == 2
    assert list(imports_dir().iterdir()) == []
    progress = client.get(reverse("import-progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert progress["HX-Refresh"] == "true"  # the poll that sees it end reloads the page
    page = client.get(response["Location"]).content.decode()
    assert "<td>成员</td><td>2</td><td>0</td><td>0</td>" in page


@pytest.mark.django_db(transaction=True)
def test_a_queued_file_with_errors_keeps_its_annotated_copy_for_its_owner(client, owner, settings):
    settings.IMPORT_SYNC_MAX_BYTES = 0
    client.force_login(owner)
    client.post(reverse("registry-import"), {"file": upload(bad_file(), "mine.xlsx")})

    task_worker().run()

    job = ImportJob.objects.get()
    assert (job.status, job.error_count) == ("finished", 2)  # the code, and no head
    assert "区划代码「999999999999」不存在" in [message for *_, message in job.result["errors"]]
    page = client.get(reverse("import-detail", args=[job.pk])).content.decode()
    assert "发现 2 处错误，未写入任何数据" in page and 'id="import-error-file"' in page
    download = client.get(reverse("import-errors", args=[job.pk]))
    assert download["Content-Disposition"].endswith('filename="mine.errors.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))["户"]
    assert sheet.cell(row=1, column=sheet.max_column).value == "错误信息"
    assert [p.name for p in imports_dir().iterdir()] == [f"{job.error_token}.xlsx"]

    client.force_login(UserFactory(role="county_admin", area=owner.area))  # same role, not owner
    for name in ("import-detail", "import-progress", "import-errors"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404, name
    assert f'id="import-{job.pk}"' not in client.get(reverse("import-list")).content.decode()


def test_steps_are_saved_as_they_start(owner, settings):
    settings.IMPORT_SYNC_MAX_BYTES = 1 << 20
    seen = []
    original = kinds.get("registry.workbook")

    def spy(path, **kwargs):
        progress = kwargs["progress"]

        def record(step):
            progress(step)
            seen.append(ImportJob.objects.get().step)

        return original.run(path, **{**kwargs, "progress": record})

    kinds.register(kinds.ImportKind(original.name, original.label, spy, original.page))
    try:
        start_job(
            kind="registry.workbook",
            upload=upload(simple_file()),
            parameters={},
            acting_user=owner,
        )
    finally:
        kinds.register(original)
    assert seen == [READING, CHECKING, WRITING]


def test_a_dry_run_writes_nothing_and_says_so(client, owner, settings):
    settings.IMPORT_SYNC_MAX_BYTES = 1 << 20
    client.force_login(owner)
    response = client.post(
        reverse("registry-import"), {"file": upload(simple_file()), "dry_run": "on"}, follow=True
    )
    assert "校验通过（仅校验，未写入）" in response.content.decode()
    assert not Household.objects.exists()
    assert ImportJob.objects.get().parameters["dry_run"] is True


def test_an_exception_fails_the_job_and_removes_the_upload(owner, settings):
    settings.IMPORT_SYNC_MAX_BYTES = 1 << 20

    def broken(path, **kwargs):
        raise RuntimeError("磁盘已满")

    kinds.register(kinds.ImportKind("test.broken", "测试", broken, "registry-import"))
    try:
        with pytest.raises(RuntimeError):
            start_job(kind="test.broken", upload=upload(b"x"), parameters={}, acting_user=owner)
    finally:
        kinds._KINDS.pop("test.broken")
    job = ImportJob.objects.get()
    assert (job.status, job.error) == ("failed", "RuntimeError: 磁盘已满")
    assert list(imports_dir().iterdir()) == []


@pytest.mark.django_db(transaction=True)
def test_the_job_speaks_the_language_of_the_request(client, owner, settings):
    settings.IMPORT_SYNC_MAX_BYTES = 0  # queued: the worker has no request to take it from
    client.force_login(owner)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.post(reverse("registry-import"), {"file": upload(bad_file())})
    job = ImportJob.objects.get()
    assert job.parameters["language"] == "en"

    task_worker().run()

    job.refresh_from_db()
    messages = [message for *_, message in job.result["errors"]]
    assert "Area code “999999999999” does not exist" in messages


def test_jobs_no_worker_ran_are_marked_failed_after_the_retention(owner):
    stale = ImportJob.objects.create(owner=owner, kind="registry.workbook", file_name="a.xlsx")
    ImportJob.objects.filter(pk=stale.pk).update(
        created=timezone.now() - datetime.timedelta(days=8)
    )
    fresh = ImportJob.objects.create(owner=owner, kind="registry.workbook", file_name="b.xlsx")

    assert mark_abandoned(7) == 1

    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == "failed" and "未写入任何数据" in stale.error
    assert fresh.status == "queued"


def test_my_imports_are_paged_newest_first(client, owner, monkeypatch):
    """我的导入 was cut at its newest 100 jobs; it pages with the shared pager (issue #13)."""
    monkeypatch.setattr(views, "JOBS_PER_PAGE", 2)
    jobs = [
        ImportJob.objects.create(owner=owner, kind="registry.workbook", file_name=f"{n}.xlsx")
        for n in range(5)
    ]
    client.force_login(owner)
    first = client.get(reverse("import-list")).content.decode()
    assert re.findall(r'<tr id="import-(\d+)"', first) == [str(j.pk) for j in jobs[::-1][:2]]
    assert "共 5 条 · 第 1 / 3 页" in first
    last = client.get(reverse("import-list"), {"page": 3}).content.decode()
    assert re.findall(r'<tr id="import-(\d+)"', last) == [str(jobs[0].pk)]
