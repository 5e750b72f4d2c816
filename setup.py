"""Build hook: the wheel carries ``resources/`` and ``plugins/`` inside the package.

In the repository both folders stay at the top level, beside ``qdaapp/``. A
built wheel puts them at ``qdaapp/_data/resources`` and ``qdaapp/_data/plugins``,
where :func:`qdaapp.core.resources.resources_dir` looks in an installed copy.
An editable install is left alone: it reads the folders in the checkout.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = ("resources", "plugins")
LEFT_OUT = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", ".DS_Store")


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "qdaapp" / "_data"
        for name in SHIPPED:
            if not (ROOT / name).is_dir():
                raise SystemExit(f"the folder '{name}/' is missing from the source tree; the wheel would be incomplete")
            shutil.rmtree(target / name, ignore_errors=True)
            shutil.copytree(ROOT / name, target / name, ignore=LEFT_OUT)


setup(cmdclass={"build_py": BuildWithData})
