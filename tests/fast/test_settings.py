"""The build's settings: read once from PAPER and HANDBOOK_BASEURL, checked, given to Sphinx as config values."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from sphinx.errors import ConfigError
from sphinx.testing.util import SphinxTestApp

from handbook import build, settings
from handbook.meta import EDITION_FILE, load_edition


@pytest.mark.parametrize(("value", "paper"), [("a4", "a4"), ("A4", "a4"), (" Letter ", "letter")])
def test_a_paper_size_is_read_whatever_its_case(value: str, paper: str) -> None:
    assert settings.from_environment({"PAPER": value}).paper == paper


def test_an_unknown_paper_is_refused_naming_the_variable_and_the_sizes() -> None:
    with pytest.raises(settings.SettingsError, match=r"PAPER='A5': the paper size is one of a4, letter"):
        settings.from_environment({"PAPER": "A5"})


def test_the_command_lines_paper_wins_and_is_named_when_wrong() -> None:
    assert settings.from_environment({"PAPER": "a4"}, paper="letter").paper == "letter"
    with pytest.raises(settings.SettingsError, match=r"--paper='b5'"):
        settings.from_environment({}, paper="b5")


def test_the_base_url_gets_its_trailing_slash() -> None:
    chosen = settings.from_environment({"HANDBOOK_BASEURL": "https://example.org/handbook"})
    assert chosen.baseurl == "https://example.org/handbook/"
    assert settings.from_environment({"HANDBOOK_BASEURL": ""}).baseurl is None


@pytest.mark.parametrize("value", ["example.org/handbook/", "ftp://example.org/", "https:///handbook/", "https://example.org/?v=1"])
def test_a_base_url_that_is_not_a_sites_address_is_refused_by_name(value: str) -> None:
    with pytest.raises(settings.SettingsError, match=r"^HANDBOOK_BASEURL="):
        settings.from_environment({"HANDBOOK_BASEURL": value})


def test_the_edition_takes_its_base_url_from_edition_yaml_unless_given_one() -> None:
    data = yaml.safe_load(EDITION_FILE.read_text(encoding="utf-8"))
    assert load_edition().baseurl == data["baseurl"].rstrip("/") + "/"
    assert load_edition(baseurl="https://example.org/x/").baseurl == "https://example.org/x/"


def test_the_build_refuses_a_bad_paper_with_exit_2(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PAPER", "A5")
    assert build.main(["html", "--build-dir", "/nonexistent/never-made"]) == 2
    assert "PAPER='A5': the paper size is one of a4, letter" in capsys.readouterr().err


def test_sphinx_gets_the_settings_as_config_values() -> None:
    chosen = settings.from_environment({"PAPER": "Letter", "HANDBOOK_BASEURL": "https://example.org/hb"})
    arguments = build.sphinx_arguments("latex", chosen, Path("/out"), Path("/doctrees"), source_date_epoch="1700000000")
    assert "-Dhandbook_paper=letter" in arguments
    assert "-Dhandbook_baseurl=https://example.org/hb/" in arguments
    assert "-Dhandbook_source_date_epoch=1700000000" in arguments
    assert arguments[:2] == ["-b", "latex"] and arguments[-1] == "/out"
    assert not any(a.startswith("-Dhandbook_baseurl") for a in build.sphinx_arguments("html", settings.Settings(), Path("/o"), Path("/d")))


# -- in Sphinx: handbook/ext/settings.py -------------------------------------------------


@pytest.mark.sphinx("latex", testroot="settings", confoverrides={"handbook_paper": "Letter", "handbook_baseurl": "https://example.org/hb"})
def test_the_settings_set_the_config_values_that_follow_from_them(app: SphinxTestApp) -> None:
    config = app.config
    assert config.handbook_paper == "letter"
    assert config.latex_elements["papersize"] == "letterpaper"
    assert config.latex_elements["preamble"].startswith(r"\newcommand{\HandbookURL}{https://example.org/hb/}")
    assert config.latex_elements["preamble"].endswith(r"\newcommand{\Test}{}")
    assert config.html_baseurl == "https://example.org/hb/"
    assert config.ogp_image == "https://example.org/hb/_static/social-card.png"
    assert config.notfound_urls_prefix == "/hb/"


@pytest.mark.sphinx("html", testroot="settings")
def test_the_base_url_defaults_to_edition_yaml(app: SphinxTestApp) -> None:
    assert app.config.html_baseurl == load_edition().baseurl


def test_sphinx_refuses_a_bad_paper_by_its_config_name(make_app: Callable[..., SphinxTestApp], rootdir: Path, tmp_path: Path) -> None:
    srcdir = tmp_path / "settings"
    shutil.copytree(rootdir / "test-settings", srcdir)
    with pytest.raises(ConfigError, match=r"handbook_paper='A5'"):
        make_app("latex", srcdir=srcdir, confoverrides={"handbook_paper": "A5"})


def test_changed_code_makes_sphinx_read_every_page_again(make_app: Callable[..., SphinxTestApp], rootdir: Path, tmp_path: Path) -> None:
    """The code hash is a config value with rebuild "env": Sphinx's own mechanism, no stamp of ours."""
    srcdir = tmp_path / "settings"
    shutil.copytree(rootdir / "test-settings", srcdir)
    make_app("html", srcdir=srcdir).build()
    unchanged = make_app("html", srcdir=srcdir)
    unchanged.build()
    assert "0 added, 0 changed, 0 removed" in strip_colours(unchanged.status.getvalue())
    edited = make_app("html", srcdir=srcdir, confoverrides={"handbook_code": "another hash"})
    edited.build()
    # Sphinx starts from a fresh environment: both pages are read as new.
    assert "[config changed ('handbook_code')] 2 added, 0 changed, 0 removed" in strip_colours(edited.status.getvalue())


def strip_colours(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def test_the_code_hash_follows_every_python_file_of_the_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from handbook.ext import settings as settings_extension

    package = tmp_path / "handbook"
    (package / "ext").mkdir(parents=True)
    (package / "ext" / "style.py").write_text("NOTE = 'old'\n")
    monkeypatch.setattr(settings_extension, "PACKAGE_DIR", package)
    monkeypatch.setattr(settings_extension, "ROOT", tmp_path)
    before = settings_extension.code_digest()
    (package / "ext" / "style.py").write_text("NOTE = 'new'\n")
    assert settings_extension.code_digest() != before
