"""Issue #11 item 8: what the service writes is private to the service user (folders 0700, files
0600), and the import pages' error files are deleted after JINGZHUN_IMPORT_RETENTION_DAYS."""

from __future__ import annotations

import datetime
import io
import os
import stat
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import timezone

from jingzhun.workbook import RowError
from jingzhun.workbook.web import imports_dir, store_error_file
from tests.areas import test_excel as area_sheets
from tests.factories import HouseholdFactory, PersonFactory

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX permissions")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def uploaded(tmp_path: Path) -> Path:
    book = openpyxl.Workbook()
    book.active.append(["证件号码"])
    book.active.append(["532527198107230009"])
    path = tmp_path / "upload.xlsx"
    book.save(path)
    return path


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def wide_umask():
    """As a process started by a shell with the usual 022 (settings set 077 at import)."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.mark.django_db
def test_an_error_file_is_0600_in_a_0700_folder(media, tmp_path, wide_umask, county_admin):
    errors = [RowError("Sheet", 2, "证件号码", "校验码不正确")]

    token = store_error_file(uploaded(tmp_path), errors)

    folder = imports_dir()
    assert mode(folder) == 0o700
    assert {p.name: mode(p) for p in folder.iterdir()} == {f"{token}.xlsx": 0o600}


@pytest.mark.django_db
def test_an_upload_waiting_for_the_worker_is_0600(media, wide_umask, county_admin, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jingzhun.imports.services import record_job

    job = record_job(
        kind="registry.workbook",
        upload=SimpleUploadedFile("全县.xlsx", b"PK..."),
        parameters={},
        acting_user=county_admin,
    )

    assert {p.name: mode(p) for p in imports_dir().iterdir()} == {job.stored_name: 0o600}


@pytest.mark.django_db
def test_the_purge_deletes_error_files_older_than_the_retention(
    media, tmp_path, settings, county_admin
):
    settings.HOME = tmp_path  # the exports' folder, purged by the same command
    settings.IMPORT_RETENTION_DAYS = 7
    errors = [RowError("Sheet", 2, "证件号码", "校验码不正确")]
    old = store_error_file(uploaded(tmp_path), errors)
    new = store_error_file(uploaded(tmp_path), errors)
    folder = imports_dir()
    for days, token in ((8, old), (6, new)):
        stamp = (timezone.now() - datetime.timedelta(days=days)).timestamp()
        os.utime(folder / f"{token}.xlsx", (stamp, stamp))

    out = io.StringIO()
    call_command("purge_files", stdout=out)

    assert "已删除过期导入错误文件 1 个" in out.getvalue()
    assert sorted(p.name for p in folder.iterdir()) == [f"{new}.xlsx"]
    # The former name does the same; --days overrides the setting.
    call_command("purge_exports", "--days", "5", stdout=io.StringIO())
    assert list(folder.iterdir()) == []


def test_a_fresh_data_folder_and_its_sqlite_database_are_private(tmp_path):
    home = tmp_path / "data"
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("JINGZHUN_", "DJANGO_SETTINGS_MODULE"))
    } | {"JINGZHUN_HOME": str(home)}
    jingzhun = Path(sys.executable).with_name("jingzhun")
    subprocess.run(
        [str(jingzhun), "migrate", "--noinput", "-v", "0"],
        env=environment,
        check=True,
        capture_output=True,
        timeout=300,
        # As started by a shell with the usual umask: settings must not rely on it.
        preexec_fn=lambda: os.umask(0o022),
    )

    assert mode(home) == 0o700
    database = home / "jingzhun.sqlite3"
    assert mode(database) == 0o600
    assert mode(home / "secret_key") == 0o600
    assert {p.name: mode(p) for p in home.iterdir() if p.name.startswith("jingzhun.sqlite3")} == {
        p.name: 0o600 for p in home.iterdir() if p.name.startswith("jingzhun.sqlite3")
    }


def test_an_existing_data_folder_and_database_are_closed_at_start(tmp_path):
    home = tmp_path / "data"
    home.mkdir(mode=0o755)
    home.chmod(0o755)
    database = home / "jingzhun.sqlite3"
    database.write_bytes(b"")
    database.chmod(0o644)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("JINGZHUN_")}
    subprocess.run(
        [sys.executable, "-c", "import jingzhun.settings"],
        env=environment | {"JINGZHUN_HOME": str(home), "JINGZHUN_SECRET_KEY": "x" * 50},
        check=True,
        timeout=60,
    )

    assert (mode(home), mode(database)) == (0o700, 0o600)


@pytest.mark.django_db
def test_the_export_command_writes_a_0600_file(village, tmp_path, wide_umask):
    PersonFactory(household=HouseholdFactory(village=village))
    target = tmp_path / "registry.xlsx"
    target.write_bytes(b"an older export")
    target.chmod(0o644)

    call_command("export", str(target), stdout=io.StringIO())

    assert mode(target) == 0o600
    assert openpyxl.load_workbook(target).sheetnames


@pytest.mark.django_db
def test_the_area_import_error_file_is_0600(county_admin, tmp_path, wide_umask):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(
        area_sheets.workbook(
            [area_sheets.township(), area_sheets.village(上级区划代码="532527101")]
        )
    )
    target = tmp_path / "bad.errors.xlsx"
    target.write_bytes(b"from an earlier run")
    target.chmod(0o644)

    with pytest.raises(SystemExit):
        call_command(
            "import_areas", str(path), "--user", county_admin.username, stderr=io.StringIO()
        )

    assert mode(target) == 0o600
