"""The Autoimmune Therapy Handbook's build: data, Sphinx extensions and tools.

``handbook.meta`` (the edition and the chapter list) and
``handbook.drug_facts`` (the drug data) read ``book/_data``; the extensions
Sphinx loads are in ``handbook.ext``; the tools the Makefile runs
(``python -m handbook.build``, ``handbook.export`` …) are the other modules.
README.md, "Architecture", says what each one owns.
"""
