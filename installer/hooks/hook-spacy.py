"""spaCy: its submodules and data, without its test suite (which the contributed hook collects too)."""

from PyInstaller.utils.hooks import collect_data_files, collect_submodules

datas = collect_data_files("spacy", excludes=["**/tests", "**/tests/**"])
hiddenimports = collect_submodules("spacy", filter=lambda name: name != "spacy.tests" and ".tests." not in name)
