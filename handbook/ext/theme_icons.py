"""The theme's icons from SVG files, as CSS masks, instead of Font Awesome.

Icons are the SVG files in ``_static/icons/`` (Font Awesome Free solid icons,
CC BY 4.0; to add one, save its SVG there under its Font Awesome name). They
are written into ``_static/handbook-icons.css`` as one CSS property each
(``--icon-sun``), and ``handbook.css`` draws them as masks in the text
colour: the theme's ``<i class="fa-solid fa-sun">`` elements and the icons
its stylesheet puts before admonition titles alike. A page or theme script
naming an icon that has no SVG is a build warning, so a strict build fails
instead of showing an empty box.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sphinx.application import Sphinx
from sphinx.util import logging

from handbook.ext.theme_assets import serves_theme

logger = logging.getLogger(__name__)

ICONS_STYLESHEET = "handbook-icons.css"  # under _static/, like html_css_files
ICONS_NOTICE = (
    "/* Written by handbook/ext/theme_icons.py from _static/icons/*.svg; edit those.\n"
    " * Icons: Font Awesome Free 7.2.0 by @fontawesome - https://fontawesome.com\n"
    " * License: https://fontawesome.com/license/free (icons: CC BY 4.0).\n"
    " * Each icon sits in a square 1.25 times its height, so the parts that\n"
    " * Font Awesome lets overflow its box (the sun's rays) are not clipped. */\n"
)
# Font Awesome classes that change how an icon is drawn, not which icon.
ICON_MODIFIERS = frozenset(
    {"fa-solid", "fa-regular", "fa-fw", "fa-lg", "fa-sm", "fa-xs", "fa-xl", "fa-2xl"}
)
CLASS_ATTRIBUTE = re.compile(r"""\bclass\s*=\s*(?:"([^"]*)"|'([^']*)')""")
SCRIPT_ICON = re.compile(r"\bfa-(?:solid|regular) (fa-[\w-]+)")
VIEWBOX = re.compile(r'viewBox="0 0 (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)"')


def icons_dir(app: Sphinx) -> Path:
    return Path(app.confdir) / app.config.handbook_icons_dir


def square_svg(svg: str) -> str:
    """The icon centred in a square 1.25 times its height, comments dropped.

    Font Awesome draws an icon one em high and lets some paths overflow that
    box; a mask would clip them, so the mask gets the room instead.
    """
    match = VIEWBOX.search(svg)
    if match is None:
        raise ValueError('no viewBox="0 0 WIDTH HEIGHT"')
    width, height = float(match[1]), float(match[2])
    side = 1.25 * height
    box = f'viewBox="{(width - side) / 2:g} {(height - side) / 2:g} {side:g} {side:g}"'
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    return VIEWBOX.sub(box, svg).strip()


def icons_css(directory: Path) -> str:
    """One CSS property per SVG icon, and the Font Awesome class naming it."""
    properties, classes = [], []
    for path in sorted(directory.glob("*.svg")):
        name = path.stem
        uri = "data:image/svg+xml," + quote(square_svg(path.read_text(encoding="utf-8")), safe=" /=:;,.'()-")
        properties.append(f'  --icon-{name}: url("{uri}");\n')
        classes.append(f".fa-{name} {{ --icon: var(--icon-{name}); }}\n")
    return ICONS_NOTICE + ":root {\n" + "".join(properties) + "}\n" + "".join(classes)


def write_icons(app: Sphinx) -> None:
    if not serves_theme(app):
        return
    directory = icons_dir(app)
    target = Path(app.outdir) / "_static" / ICONS_STYLESHEET
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        target.write_text(icons_css(directory), encoding="utf-8")
    except ValueError as problem:
        logger.warning("an icon in %s cannot be drawn: %s", directory, problem, type="theme_icons")
    app.add_css_file(ICONS_STYLESHEET)


def page_classes(html: str) -> set[str]:
    return {name for match in CLASS_ATTRIBUTE.finditer(html) for name in (match[1] or match[2] or "").split()}


def icon_classes(classes: Iterable[str]) -> set[str]:
    return {name for name in classes if name.startswith("fa-") and name not in ICON_MODIFIERS}


def check_icons(app: Sphinx, exception: Exception | None) -> None:
    """Warn about every icon a page or theme script names but no SVG draws."""
    if exception is not None or not serves_theme(app):
        return
    outdir = Path(app.outdir)
    drawn = {f"fa-{path.stem}" for path in icons_dir(app).glob("*.svg")}
    for page in sorted(outdir.rglob("*.html")):
        relative = page.relative_to(outdir)
        if "_static" in relative.parts:
            continue
        for name in sorted(icon_classes(page_classes(page.read_text(encoding="utf-8"))) - drawn):
            logger.warning(
                "icon class %r has no SVG in %s: the icon would be an empty box",
                name, app.config.handbook_icons_dir, location=relative.with_suffix("").as_posix(),
                type="theme_icons",
            )  # fmt: skip
    for script in sorted((outdir / "_static").rglob("*.js")):
        if script.name.startswith("fontawesome"):
            continue  # removed from the output (theme_assets.py)
        for name in sorted(set(SCRIPT_ICON.findall(script.read_text(encoding="utf-8"))) - drawn):
            logger.warning(
                "icon class %r, used by %s, has no SVG in %s",
                name, script.relative_to(outdir), app.config.handbook_icons_dir, type="theme_icons",
            )  # fmt: skip


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("handbook.ext.theme_assets")
    app.add_config_value(
        "handbook_icons_dir", "_static/icons", "html", types=frozenset({str}),
        description="Folder of the SVG icons, relative to conf.py",
    )  # fmt: skip
    app.connect("builder-inited", write_icons)
    # Before theme_assets removes Font Awesome's files (priority 500).
    app.connect("build-finished", check_icons, priority=400)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
