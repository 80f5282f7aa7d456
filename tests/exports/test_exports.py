"""Background exports: owner-only pages and downloads, failures, retention (purge_exports)."""

from __future__ import annotations

import datetime
import io
import os

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jingzhun.audit.models import AuditEntry
from jingzhun.exports import kinds
from jingzhun.exports.models import ExportJob
from jingzhun.exports.services import export_dir, purge_exports
from jingzhun.exports.tasks import create_job
from tests.factories import UserFactory
from tests.worker import task_worker


def write_rows(parameters, *, acting_user, target, progress):
    progress(0, 2)
    target.write(b"row 1\n")
    progress(1, 2)
    target.write(parameters.get("text", "row 2").encode() + b"\n")
    progress(2, 2)


def write_then_fail(parameters, *, acting_user, target, progress):
    progress(0, 10)
    target.write(b"half a file")
    progress(5, 10)
    raise RuntimeError("数据库连接中断")


@pytest.fixture(autouse=True)
def test_kinds(settings, tmp_path):
    settings.HOME = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"  # the import error files the purge also deletes
    kinds.register(
        kinds.ExportKind("test.rows", "测试导出", write_rows, "rows", ".txt", "text/plain")
    )
    kinds.register(kinds.ExportKind("test.broken", "测试导出", write_then_fail, "broken", ".txt"))
    yield
    kinds._KINDS.pop("test.rows")
    kinds._KINDS.pop("test.broken")


@pytest.fixture
def owner(village):
    return UserFactory(role="county_admin", area=village.parent.parent)


@pytest.fixture
def stranger(village):
    """Same county and role: still not the owner."""
    return UserFactory(role="county_admin", area=village.parent.parent)


def finished_job(owner, content: bytes = b"data", days_ago: float = 0) -> ExportJob:
    name = f"job-{ExportJob.objects.count()}.txt"
    path = export_dir() / name
    path.write_bytes(content)
    finished = timezone.now() - datetime.timedelta(days=days_ago)
    os.utime(path, (finished.timestamp(), finished.timestamp()))
    return ExportJob.objects.create(
        owner=owner,
        kind="test.rows",
        status="finished",
        file_name="rows.txt",
        stored_name=name,
        size=len(content),
        total=2,
        done=2,
        finished=finished,
    )


@pytest.mark.django_db(transaction=True)
def test_the_worker_writes_the_file_with_progress(client, owner):
    job = create_job(kind="test.rows", parameters={"text": "第二行"}, acting_user=owner)
    task_worker().run()
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.size) == ("finished", 2, 2, 16)
    assert job.file_name.startswith("rows-") and job.file_name.endswith(".txt")
    client.force_login(owner)
    download = client.get(reverse("export-download", args=[job.pk]))
    assert download["Content-Type"] == "text/plain"
    assert b"".join(download.streaming_content) == "row 1\n第二行\n".encode()
    assert [p.name for p in export_dir().iterdir()] == [job.stored_name]


def test_another_users_job_is_404_everywhere(client, owner, stranger):
    job = finished_job(owner)
    client.force_login(stranger)
    for name in ("export-detail", "export-progress", "export-download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404, name
    assert f'id="export-{job.pk}"' not in client.get(reverse("export-list")).content.decode()
    assert not AuditEntry.objects.exists()  # nothing was downloaded
    client.force_login(owner)
    assert f'id="export-{job.pk}"' in client.get(reverse("export-list")).content.decode()
    assert client.get(reverse("export-download", args=[job.pk])).status_code == 200
    assert AuditEntry.objects.get().actor == owner


def test_list_is_newest_first_and_linked_from_the_nav(client, owner):
    older, newer = finished_job(owner), finished_job(owner)
    client.force_login(owner)
    page = client.get(reverse("export-list")).content.decode()
    assert 'href="/exports/"' in page and "我的导出" in page
    assert page.index(f'id="export-{newer.pk}"') < page.index(f'id="export-{older.pk}"')
    assert 'name="viewport"' in page and 'class="table-scroll"' in page  # narrow screens


def test_pages_in_english(client, owner):
    job = finished_job(owner)
    client.force_login(owner)
    client.cookies["django_language"] = "en"
    listing = client.get(reverse("export-list")).content.decode()
    detail = client.get(reverse("export-detail", args=[job.pk])).content.decode()
    assert "My exports" in listing and "我的导出" not in listing
    assert "Download" in detail and "Finished" in detail


@pytest.mark.django_db(transaction=True)
def test_a_failing_export_is_marked_failed_with_its_message(client, owner):
    job = create_job(kind="test.broken", parameters={}, acting_user=owner)
    task_worker().run()
    job.refresh_from_db()
    assert job.status == "failed" and job.error == "RuntimeError: 数据库连接中断"
    assert (job.done, job.total, job.stored_name) == (5, 10, "")
    assert job.finished is not None
    assert list(export_dir().iterdir()) == []  # the partial file is gone
    assert DBTaskResult.objects.get().status == "FAILED"
    client.force_login(owner)
    fragment = client.get(reverse("export-progress", args=[job.pk])).content.decode()
    assert 'data-status="failed"' in fragment and "数据库连接中断" in fragment
    assert client.get(reverse("export-download", args=[job.pk])).status_code == 404


def test_unknown_kind_is_refused_before_anything_is_written(owner):
    with pytest.raises(LookupError):
        create_job(kind="no.such", parameters={}, acting_user=owner)
    assert not ExportJob.objects.exists()


def test_purge_deletes_old_files_and_keeps_the_rows(client, owner, settings):
    settings.EXPORT_RETENTION_DAYS = 7
    old = finished_job(owner, days_ago=8)
    recent = finished_job(owner, days_ago=6)
    orphan = export_dir() / "killed-worker.xlsx.part"
    orphan.write_bytes(b"x")
    stamp = (timezone.now() - datetime.timedelta(days=9)).timestamp()
    os.utime(orphan, (stamp, stamp))

    stuck = ExportJob.objects.create(owner=owner, kind="test.rows", status="running")
    ExportJob.objects.filter(pk=stuck.pk).update(created=timezone.now() - datetime.timedelta(8))
    waiting = ExportJob.objects.create(owner=owner, kind="test.rows", status="queued")

    out = io.StringIO()
    call_command("purge_exports", stdout=out)
    assert out.getvalue().split() == [
        "已删除过期导出文件",
        "1",
        "个，无对应任务的文件",
        "1",
        "个，标记未完成的任务为失败",
        "1",
        "个",
        "已删除过期导入错误文件",
        "0",
        "个，标记未完成的导入任务为失败",
        "0",
        "个",
    ]

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, old.stored_name) == ("expired", "")
    assert recent.status == "finished"
    stuck.refresh_from_db()
    waiting.refresh_from_db()
    assert (stuck.status, stuck.error) == ("failed", "后台任务进程未完成该导出")
    assert waiting.status == "queued"  # created today: its worker may still come
    assert sorted(p.name for p in export_dir().iterdir()) == [recent.stored_name]
    client.force_login(owner)
    assert client.get(reverse("export-download", args=[old.pk])).status_code == 404
    fragment = client.get(reverse("export-progress", args=[old.pk])).content.decode()
    assert 'data-status="expired"' in fragment
    # Run again: nothing more to do; a shorter period takes the recent one too.
    assert purge_exports().expired == 0
    assert purge_exports(days=5).expired == 1
    assert list(export_dir().iterdir()) == []


def test_the_poll_that_sees_the_end_reloads_the_page(client, owner):
    job = finished_job(owner)
    job.total = 85751
    job.save()
    client.force_login(owner)
    url = reverse("export-progress", args=[job.pk])
    polled = client.get(url, headers={"HX-Request": "true"})
    assert polled["HX-Refresh"] == "true"
    assert "共 85,751 行" in polled.content.decode()
    assert "HX-Refresh" not in client.get(url)  # a plain request: no reload asked
    ExportJob.objects.filter(pk=job.pk).update(status="running", done=1000)
    live = client.get(url, headers={"HX-Request": "true"})
    assert "HX-Refresh" not in live and 'hx-trigger="every 2s"' in live.content.decode()
    assert "已写 1,000 / 85,751 行（1%）" in live.content.decode()
