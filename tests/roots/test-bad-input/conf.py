# A two-chapter book with a summary, a glossary and a bibliography: enough
# for every mistake in tests/broken_inputs/ to be made, and Sphinx to meet
# it as it meets it in the real book (the handbook's MyST settings, strict
# cross-references, numbered chapters, sphinxcontrib-bibtex, the fence check).
project = "Bad input"
extensions = ["myst_parser", "sphinxcontrib.bibtex", "handbook.ext.source_checks"]
exclude_patterns = ["_build"]
nitpicky = True
numfig = True
myst_enable_extensions = ["colon_fence", "deflist", "substitution", "attrs_inline", "fieldlist"]
bibtex_bibfiles = ["references.bib"]
bibtex_reference_style = "label"
