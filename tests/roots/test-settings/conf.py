extensions = ["handbook.ext.settings"]
latex_elements = {"preamble": r"\newcommand{\Test}{}"}
