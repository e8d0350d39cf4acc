"""Our top-level packages must not shadow an installed package (spaCy needs PyPI's `catalogue`)."""

from __future__ import annotations

import subprocess
import sys

from leerwijzer.settings import PROJECT_ROOT


def test_spacy_imports_with_the_project_on_the_path() -> None:
    # spaCy -> thinc -> `import catalogue` (PyPI's registry package): a folder of ours with the
    # same name on sys.path made that import find our code instead, and spaCy failed to load.
    code = "import spacy; nlp = spacy.blank('nl'); print(len(nlp('ik wil leren lassen')))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "4"


def test_no_project_package_has_the_name_of_an_installed_distribution() -> None:
    from importlib.metadata import packages_distributions

    installed = set(packages_distributions())
    ours = {path.name for path in PROJECT_ROOT.iterdir() if (path / "__init__.py").exists()}
    assert not ours & installed, f"these shadow installed packages: {sorted(ours & installed)}"
