extensions = ["myst_parser", "handbook.ext.navigation"]
# Every page's sidebar lists every chapter, as the handbook's theme does.
html_sidebars = {"**": ["globaltoc.html"]}
