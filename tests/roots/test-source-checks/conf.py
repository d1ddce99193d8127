extensions = ["myst_parser", "handbook.ext.source_checks"]
