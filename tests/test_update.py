"""`copier update` keeps a generated project current without losing its own edits."""

from __future__ import annotations

from pathlib import Path

import copier

from tests.versioned import commit_all, git, release, update


def test_update_applies_template_changes_and_keeps_local_edits(
    versioned_template: Path, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    copier.run_copy(str(versioned_template), str(project), defaults=True, unsafe=True, quiet=True)
    git(project, "init", "-q")
    commit_all(project, "generated")
    # The team's own work: a route in api.py and a section in the README.
    api = project / "src/my_saas/api.py"
    api.write_text(api.read_text() + "\n# our own routers go here\n")
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\n## Our runbook\n\nPage the on-call.\n")
    git(project, "commit", "-qam", "our edits")
    # The template improves something else in those same files.
    makefile = versioned_template / "template/Makefile.jinja"
    makefile.write_text(
        makefile.read_text()
        + "\nshell: install ## a Python shell in the app's environment\n\t$(RUN) python\n"
    )
    readme_template = versioned_template / "template/README.md.jinja"
    readme_template.write_text(
        readme_template.read_text().replace("## Run it\n", "## Run it\n\nStart here.\n", 1)
    )
    release(versioned_template, "1.1.0", "add make shell")

    update(project)

    assert "# our own routers go here" in api.read_text()
    assert "## Our runbook" in readme.read_text()
    assert "Start here." in readme.read_text()
    assert "shell: install" in (project / "Makefile").read_text()
    rejects = [p.name for p in project.rglob("*.rej")]
    assert rejects == []
    conflicted = [
        str(p)
        for p in project.rglob("*")
        if p.is_file() and ".git" not in p.parts and "<<<<<<< " in p.read_text(errors="replace")
    ]
    assert conflicted == []
    assert "_commit: 1.1.0" in (project / ".copier-answers.yml").read_text()


def test_update_never_touches_the_generated_secret(
    versioned_template: Path, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    copier.run_copy(str(versioned_template), str(project), defaults=True, unsafe=True, quiet=True)
    secret_before = (project / ".env").read_text()
    git(project, "init", "-q")
    commit_all(project, "generated")
    release(versioned_template, "1.0.1", "no-op release")

    update(project)

    assert (project / ".env").read_text() == secret_before
