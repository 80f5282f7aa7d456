"""Build step the declarative pyproject.toml cannot express: copy the user guide into the package.

docs/user-guide.md and docs/user-guide.en.md stay the one source writers edit (beside the other
docs, rendered by any Markdown viewer); the help pages read them from there in a checkout, and
from `jingzhun/core/guide/` in a built package (src/jingzhun/core/help.py). A copy kept in git
would go stale whenever someone edited the guide; this one is made fresh at every build.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
GUIDES = ("user-guide.md", "user-guide.en.md")


def copy_guides(build_lib: Path) -> list[Path]:
    """Copy the guides into the built package; the paths written."""
    target = build_lib / "jingzhun" / "core" / "guide"
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name in GUIDES:
        shutil.copyfile(ROOT / "docs" / name, target / name)
        written.append(target / name)
    return written


class BuildWithGuide(build_py):
    def run(self) -> None:
        super().run()
        # An editable install runs from src/ and reads docs/ directly.
        if not getattr(self, "editable_mode", False):
            copy_guides(Path(self.build_lib))


if __name__ == "__main__":  # setuptools' build backend runs this file as __main__
    setup(cmdclass={"build_py": BuildWithGuide})
