"""The documentation site: built with --strict (every page in the nav, no broken link or
anchor), with a picture of the rendered project that names every one of its packages."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from tests.rendering import REPO_ROOT, run

PACKAGES = REPO_ROOT / "template/src/{{package_name}}"


def test_the_documentation_site_builds_strictly(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)]
    run(command, REPO_ROOT, {"NO_MKDOCS_2_WARNING": "1"})

    for page in ("index.html", "architecture/index.html", "update/index.html"):
        assert (tmp_path / page).is_file()
    assert '<pre class="mermaid">' in (tmp_path / "index.html").read_text()
    assert '<pre class="mermaid">' in (tmp_path / "architecture/index.html").read_text()


def test_the_architecture_picture_names_every_package_of_the_rendered_project() -> None:
    packages = {re.sub(r"\{%.*?%\}", "", path.name) for path in PACKAGES.iterdir() if path.is_dir()}
    for page in ("index.md", "architecture.md"):
        text = (REPO_ROOT / "docs" / page).read_text()
        (picture,) = re.findall(r"```mermaid\n(.*?)```", text, re.DOTALL)
        assert sorted(p for p in packages if not re.search(rf"\b{p}\b", picture)) == [], page
