"""The help pages' content: the user guide split into one section per module at its `## `
headings. Pure: no Django (core/views_help.py serves it, templatetags/help.py links to it).

The guide is `docs/user-guide.md` (Chinese) and `docs/user-guide.en.md` (English), kept where
writers edit them, beside the other docs. A checkout (or an editable install) reads them there;
a built package carries copies in `jingzhun/core/guide/`, made by setup.py's build step, so there
is one source in git and nothing to keep in step by hand.

A section's slug is the English words of its heading ("## 首页 Home" → `home`), so the Chinese and
the English guide name the same module the same way and a URL outlives a reworded Chinese title.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import markdown

# Language code → the guide's file name; any other language reads the Chinese guide.
GUIDE_FILES = {"zh-hans": "user-guide.md", "en": "user-guide.en.md"}
DEFAULT_LANGUAGE = "zh-hans"

PACKAGED = Path(__file__).resolve().parent / "guide"  # in a built package (setup.py)
CHECKOUT = Path(__file__).resolve().parents[3] / "docs"  # src/jingzhun/core/help.py → docs/

# The module (Django app) a page belongs to → its section of the guide; a few pages have a
# section of their own. A page of an app not listed links to the guide's table of contents.
SECTION_OF_APP = {
    "core": "home",
    "accounts": "logging-in-and-language",
    "areas": "area-tree",
    "registry": "household-list",
    "assessment": "exit-assessment",
    "procedures": "procedures",
    "comparison": "data-comparison",
    "imports": "importing-the-registry-workbook",
    "exports": "household-list",  # 我的导出 is described with the list's export
    "dashboard": "dashboard",
}
SECTION_OF_URL = {
    "home": "home",
    "household-detail": "household-page",
    "person-reveal": "household-page",
    "household-create": "creating-and-editing",
    "household-edit": "creating-and-editing",
    "person-create": "creating-and-editing",
    "person-edit": "creating-and-editing",
    "income-edit": "creating-and-editing",
    "registry-import": "importing-the-registry-workbook",
    "household-search-id": "household-list",
    "help": "help",
    "help-section": "help",
}

ENGLISH_WORDS = re.compile(r"[A-Za-z0-9]+")
CHINESE = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"  # CJK characters and full-width marks
CJK = re.compile(f"[{CHINESE}]")
CHINESE_LINE_BREAK = re.compile(f"(?<=[{CHINESE}])\n[ \t]*(?=[{CHINESE}])")
FENCE = re.compile(r"^(```|~~~)")
EXTENSIONS = ["tables", "fenced_code", "sane_lists", "toc"]


@dataclass(frozen=True)
class Section:
    """One module's part of the guide: its `## ` heading and what follows up to the next."""

    slug: str
    heading: str  # as written: "首页 Home"
    body: str  # Markdown, without the heading
    html: str

    @property
    def title(self) -> str:
        """The heading in the guide's own language: "首页" of "首页 Home"; an English heading
        whole."""
        if not CJK.match(self.heading):
            return self.heading
        first_latin = re.search(r"\s[A-Za-z]", self.heading)
        return self.heading[: first_latin.start()].strip() if first_latin else self.heading


@dataclass(frozen=True)
class Guide:
    title: str
    intro_html: str
    sections: tuple[Section, ...]

    def section(self, slug: str) -> Section | None:
        return next((section for section in self.sections if section.slug == slug), None)

    def slugs(self) -> list[str]:
        return [section.slug for section in self.sections]


def slug_of(heading: str) -> str:
    """The heading's English words, lower case, joined by hyphens ("翻译 Translations (for
    maintainers)" → "translations-for-maintainers"); a heading without any: itself."""
    words = ENGLISH_WORDS.findall(heading)
    return "-".join(word.lower() for word in words) if words else heading.strip()


def join_chinese_lines(text: str) -> str:
    """Join a line ending in Chinese to the next one starting in Chinese: the guide wraps its
    paragraphs at ~100 columns, and a browser shows each line break as a space, which Chinese
    text does not have between its characters."""
    return CHINESE_LINE_BREAK.sub("", text)


def to_html(text: str) -> str:
    # The guide is the project's own text, reviewed like code: its Markdown is trusted.
    return markdown.markdown(join_chinese_lines(text), extensions=EXTENSIONS, output_format="html")


def split_guide(text: str) -> Guide:
    """The guide's `# ` title, the text before its first `## ` heading, and its sections.
    Headings inside fenced code blocks are code, not headings."""
    title = ""
    intro: list[str] = []
    parts: list[tuple[str, list[str]]] = []
    fenced = False
    for line in text.splitlines():
        if FENCE.match(line):
            fenced = not fenced
        if not fenced and line.startswith("## "):
            parts.append((line[3:].strip(), []))
        elif not fenced and line.startswith("# ") and not title and not parts:
            title = line[2:].strip()
        elif parts:
            parts[-1][1].append(line)
        else:
            intro.append(line)
    sections = []
    for heading, lines in parts:
        body = "\n".join(lines).strip() + "\n"
        sections.append(Section(slug_of(heading), heading, body, to_html(body)))
    return Guide(title, to_html("\n".join(intro).strip()), tuple(sections))


def guide_file(language: str) -> Path:
    """The guide for `language`: the packaged copy if there is one, else the checkout's docs/."""
    name = GUIDE_FILES.get(language, GUIDE_FILES[DEFAULT_LANGUAGE])
    for folder in (PACKAGED, CHECKOUT):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(
        f"User guide {name} not found in {PACKAGED} or {CHECKOUT}: "
        "install the package built by setup.py, or run from a checkout"
    )


@functools.lru_cache(maxsize=8)
def _parsed(path: Path, modified: int) -> Guide:
    return split_guide(path.read_text(encoding="utf-8"))


def load_guide(language: str) -> Guide:
    """The guide in `language`, parsed once per version of the file (an edited guide shows at
    the next request, without a restart)."""
    path = guide_file(language)
    return _parsed(path, path.stat().st_mtime_ns)


def section_for(url_name: str | None, app: str | None) -> str | None:
    """The slug of the guide's section about a page, from its URL name and its app."""
    if url_name and url_name in SECTION_OF_URL:
        return SECTION_OF_URL[url_name]
    return SECTION_OF_APP.get(app or "")
