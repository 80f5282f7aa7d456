"""帮助: the user guide split into one page per module, in the user's language, linked from every
page's header to the section about that page's module."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest
from django.urls import reverse

from jingzhun.core import help as guides
from tests.factories import HouseholdFactory

ROOT = Path(__file__).resolve().parents[2]
HELP_LINK = re.compile(r'<a class="button small help-link" href="([^"]+)">([^<]+)</a>')


def help_link(response) -> tuple[str, str]:
    found = HELP_LINK.findall(response.content.decode())
    assert len(found) == 1
    return found[0]


def set_language(client, code: str) -> None:
    assert client.post(reverse("set_language"), {"language": code, "next": "/"}).status_code == 302


# The pure part: splitting and slugs.


def test_split_guide_into_titled_sections():
    text = (
        "# 用户指南 User guide\n\n导览。\n\n## 首页 Home\n\n"
        "### 待我办理 What awaits you\n\n- 一\n\n```\n## 不是标题\n```\n\n"
        "## 翻译 Translations (for maintainers)\n\n译文。\n"
    )
    guide = guides.split_guide(text)
    assert guide.title == "用户指南 User guide"
    assert guide.intro_html == "<p>导览。</p>"
    assert guide.slugs() == ["home", "translations-for-maintainers"]
    home = guide.section("home")
    assert (home.heading, home.title) == ("首页 Home", "首页")
    assert home.body == "### 待我办理 What awaits you\n\n- 一\n\n```\n## 不是标题\n```\n"
    assert '<h3 id="what-awaits-you">待我办理 What awaits you</h3>' in home.html
    assert "<code>## 不是标题\n</code>" in home.html
    assert guide.section("translations-for-maintainers").title == "翻译"
    assert guide.section("nothing") is None


def test_slugs_come_from_the_english_words_of_a_heading():
    assert guides.slug_of("导入登记表 Importing the registry workbook") == (
        "importing-the-registry-workbook"
    )
    assert guides.slug_of("Translations (for maintainers)") == "translations-for-maintainers"
    assert guides.slug_of("帮助") == "帮助"


def test_an_english_heading_is_its_own_title():
    guide = guides.split_guide("# User guide\n\n## Household page\n\nText.\n")
    assert guide.section("household-page").title == "Household page"


def test_chinese_lines_are_joined_without_a_space():
    html = guides.to_html("首页最上方是\n  **待我办理**，按您的\n角色。\n\n- 一项\n- 二项\n")
    assert html == (
        "<p>首页最上方是\n  <strong>待我办理</strong>，按您的角色。</p>\n"
        "<ul>\n<li>一项</li>\n<li>二项</li>\n</ul>"
    )


def test_the_english_guide_has_the_chinese_guides_sections_in_order():
    chinese = guides.load_guide("zh-hans")
    english = guides.load_guide("en")
    assert english.slugs() == chinese.slugs()
    assert {"home", "household-list", "procedures", "help"} <= set(chinese.slugs())
    cjk = re.compile(r"[\u4e00-\u9fff]")
    assert [s.heading for s in english.sections if cjk.search(s.heading)] == []


def test_every_mapped_section_is_in_the_guide():
    slugs = set(guides.load_guide("zh-hans").slugs())
    mapped = set(guides.SECTION_OF_APP.values()) | set(guides.SECTION_OF_URL.values())
    assert sorted(mapped - slugs) == []


def test_every_page_of_an_app_has_a_section():
    """A new app's pages link to its section once it is mapped in core/help.py."""
    from django.urls import get_resolver

    apps = {
        pattern.callback.__module__.split(".")[1]
        for resolver in get_resolver().url_patterns
        if getattr(getattr(resolver, "urlconf_name", None), "__name__", "").endswith(".urls")
        for pattern in resolver.url_patterns
        if getattr(pattern, "callback", None)
        and pattern.callback.__module__.startswith("jingzhun.")
    }
    assert sorted(apps - set(guides.SECTION_OF_APP)) == []


def test_the_guide_comes_from_the_checkout_without_a_packaged_copy():
    assert guides.guide_file("zh-hans") == ROOT / "docs" / "user-guide.md"
    assert guides.guide_file("en") == ROOT / "docs" / "user-guide.en.md"
    assert guides.guide_file("fr") == ROOT / "docs" / "user-guide.md"


def test_a_packaged_copy_comes_first(tmp_path, monkeypatch):
    (tmp_path / "user-guide.en.md").write_text("# User guide\n\n## Home\n\nPackaged.\n")
    monkeypatch.setattr(guides, "PACKAGED", tmp_path)
    assert guides.guide_file("en") == tmp_path / "user-guide.en.md"
    assert guides.load_guide("en").section("home").html == "<p>Packaged.</p>"
    assert guides.guide_file("zh-hans") == ROOT / "docs" / "user-guide.md"


def test_no_guide_at_all_says_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.setattr(guides, "PACKAGED", tmp_path / "a")
    monkeypatch.setattr(guides, "CHECKOUT", tmp_path / "b")
    with pytest.raises(FileNotFoundError, match=r"user-guide\.md not found in .*a or .*b"):
        guides.guide_file("zh-hans")


def test_an_edited_guide_shows_without_a_restart(tmp_path, monkeypatch):
    guide = tmp_path / "user-guide.md"
    guide.write_text("# 指南\n\n## 首页 Home\n\n旧。\n")
    monkeypatch.setattr(guides, "PACKAGED", tmp_path)
    assert guides.load_guide("zh-hans").section("home").html == "<p>旧。</p>"
    guide.write_text("# 指南\n\n## 首页 Home\n\n新的说明。\n")
    assert guides.load_guide("zh-hans").section("home").html == "<p>新的说明。</p>"


def test_the_build_step_copies_both_guides_into_the_package(tmp_path):
    """setup.py's build_py copies docs/ into jingzhun/core/guide/, where help.py looks first."""
    setup = runpy.run_path(str(ROOT / "setup.py"), run_name="setup_under_test")
    written = setup["copy_guides"](tmp_path)
    target = tmp_path / "jingzhun" / "core" / "guide"
    assert written == [target / "user-guide.md", target / "user-guide.en.md"]
    for name in ("user-guide.md", "user-guide.en.md"):
        assert (target / name).read_bytes() == (ROOT / "docs" / name).read_bytes()
    assert guides.PACKAGED.relative_to(ROOT / "src") == Path("jingzhun/core/guide")
    manifest = (ROOT / "MANIFEST.in").read_text()
    assert "include docs/user-guide.md docs/user-guide.en.md" in manifest


# The pages.


@pytest.mark.django_db
def test_help_needs_a_login(client):
    response = client.get(reverse("help-section", args=["home"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_a_section_page_in_chinese(client, viewer):
    client.force_login(viewer)
    response = client.get(reverse("help-section", args=["household-page"]) + "?back=/registry/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>户页面</h1>" in page
    assert "<strong>查看完整</strong>" in page
    assert '<a href="/help/household-page/" aria-current="page">户页面</a>' in page
    assert '<a href="/help/household-list/" rel="prev">‹ 贫困户名单</a>' in page
    assert '<a href="/help/exit-assessment/" rel="next">达标评估 ›</a>' in page
    assert '<a class="help-back" href="/registry/">返回原页面</a>' in page
    toc = re.findall(r'<li><a href="/help/([^/]+)/"', page)
    assert toc == guides.load_guide("zh-hans").slugs()


@pytest.mark.django_db
def test_a_section_page_in_english(client, viewer):
    client.force_login(viewer)
    set_language(client, "en")
    page = client.get(reverse("help-section", args=["household-page"])).content.decode()
    assert "<h1>Household page</h1>" in page
    assert "<strong>Show full</strong>" in page
    assert '<a href="/help/household-list/" rel="prev">‹ Household list</a>' in page
    assert "Back to the page" not in page  # no page to go back to


@pytest.mark.django_db
def test_the_index_lists_every_module(client, viewer):
    client.force_login(viewer)
    page = client.get(reverse("help")).content.decode()
    assert "<h1>帮助</h1>" in page
    assert "所有页面只显示您账号所属区划" in page  # the guide's introduction
    sections = guides.load_guide("zh-hans").slugs()
    assert len(re.findall(r'<li><a href="/help/', page)) == len(sections)


@pytest.mark.django_db
def test_an_unknown_section_is_404(client, viewer):
    client.force_login(viewer)
    assert client.get(reverse("help-section", args=["no-such-module"])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "back", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "registry/"]
)
def test_back_goes_only_to_a_page_of_this_site(client, viewer, back):
    client.force_login(viewer)
    page = client.get(reverse("help"), {"back": back}).content.decode()
    assert "help-back" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "args", "section"),
    [
        ("home", [], "home"),
        ("area-tree", [], "area-tree"),
        ("household-list", [], "household-list"),
        ("assessment-runs", [], "exit-assessment"),
        ("procedures-board", [], "procedures"),
        ("comparison-findings", [], "data-comparison"),
        ("comparison-tasks", [], "data-comparison"),
        ("import-list", [], "importing-the-registry-workbook"),
        ("export-list", [], "household-list"),
    ],
)
def test_each_page_links_to_its_modules_section(client, county_admin, url_name, args, section):
    client.force_login(county_admin)
    path = reverse(url_name, args=args)
    href, text = help_link(client.get(path))
    assert (href, text) == ("/help/{}/?back={}".format(section, path.replace("/", "%2F")), "帮助")


@pytest.mark.django_db
def test_a_household_page_links_to_the_household_section(client, county_admin, village):
    household = HouseholdFactory(village=village)
    client.force_login(county_admin)
    path = reverse("household-detail", args=[household.pk])
    href, _ = help_link(client.get(path))
    assert href.startswith("/help/household-page/?back=")
    href, _ = help_link(client.get(reverse("household-edit", args=[household.pk])))
    assert href.startswith("/help/creating-and-editing/?back=")


@pytest.mark.django_db
def test_the_link_in_english(client, county_admin):
    client.force_login(county_admin)
    set_language(client, "en")
    assert help_link(client.get(reverse("procedures-board"))) == (
        "/help/procedures/?back=%2Fprocedures%2F",
        "Help",
    )


@pytest.mark.django_db
def test_help_pages_link_to_the_help_on_help(client, viewer):
    client.force_login(viewer)
    assert help_link(client.get(reverse("help-section", args=["home"]))) == ("/help/help/", "帮助")


@pytest.mark.django_db
def test_a_section_missing_from_the_guide_links_to_the_index(client, viewer, monkeypatch):
    monkeypatch.setitem(guides.SECTION_OF_URL, "home", "no-such-section")
    client.force_login(viewer)
    assert help_link(client.get(reverse("home"))) == ("/help/?back=%2F", "帮助")


@pytest.mark.django_db
def test_no_help_link_before_login(client):
    assert HELP_LINK.findall(client.get(reverse("login")).content.decode()) == []


@pytest.mark.django_db
def test_the_link_back_keeps_the_pages_filter(client, county_admin):
    """返回原页面 returns to the list as the user left it (its filter and page), not its first
    page unfiltered."""
    client.force_login(county_admin)
    href, _text = help_link(client.get(reverse("procedures-board"), {"year": "2018", "page": "2"}))
    assert href == "/help/procedures/?back=%2Fprocedures%2F%3Fyear%3D2018%26page%3D2"
    page = client.get(href).content.decode()
    assert 'href="/procedures/?year=2018&amp;page=2"' in page


@pytest.mark.django_db
def test_the_link_back_never_carries_an_id_number(client, county_admin):
    client.force_login(county_admin)
    href, _text = help_link(client.get(reverse("household-list"), {"q": "532527198001010032"}))
    assert href == "/help/household-list/?back=%2Fregistry%2Fhouseholds%2F"
