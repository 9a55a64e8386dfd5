"""The build-time width lint of display formulas (rlref.site.formula_width), on formulas
rendered by the vendored KaTeX: its diagnostic, kb held under the column, a strict build
failed by a wide formula; the kb's formulas are measured in Chromium in
tests/site/test_kb_site.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from rlref.cli import app
from rlref.diagnostics import strictly
from rlref.site import runner
from rlref.site.formula_width import COLUMN_EM, FONT_PX, WideFormula, check_page, width_em
from rlref.site.mathrender import KatexRenderer, prerender
from rlref.site.mkdocs_run import MkDocsResult
from rlref.vault import load_vault

REPO = Path(__file__).resolve().parents[2]
SITE = REPO / "site"
LONG = r"\mathcal{L} = " + " + ".join(rf"\beta_{i} \log \sigma(x_{i} - y_{i})" for i in range(8))


@pytest.fixture(scope="module")
def renderer():
    found = KatexRenderer(SITE)
    yield found
    found.close()


def widths(renderer: KatexRenderer, *formulas: str) -> list[float]:
    return [width_em(html) for html in renderer.render([(tex, True) for tex in formulas])]


def test_a_row_adds_up_a_stack_is_its_widest_line(renderer: KatexRenderer) -> None:
    one, four, fraction, scripts = widths(renderer, "a", "aaaa", r"\frac{aaaa}{b}", "a_{bbbb}^{c}")
    assert 0.3 < one < 0.8 and 3 * one < four < 5 * one
    assert four <= fraction < four + 1.0  # numerator and denominator stacked, not summed
    assert one + 0.7 * 3 * one < scripts < one + 0.8 * 5 * one  # scripts at 70 %


def test_long_formulas_are_wider_than_the_column_short_ones_are_not(
    renderer: KatexRenderer,
) -> None:
    short, long = widths(renderer, r"J(\theta) = \mathbb{E}[R]", LONG)
    assert short < COLUMN_EM / 4 and long > COLUMN_EM


def test_a_page_names_the_line_of_each_wide_formula(renderer: KatexRenderer) -> None:
    page = (
        '<div class="arithmatex">\\[x = 1\\]</div><p>text</p>'
        f'<div class="arithmatex">\\[{LONG}\\]</div>'
    )
    rendered = prerender(page, renderer)
    wide = check_page(rendered, "A/笔记.md", [12, 40])
    assert [(w.path, w.line) for w in wide] == [("A/笔记.md", 40)]
    assert wide[0].width_px > 688 and "688 px" in wide[0].message()
    assert check_page(page, "A/笔记.md", [12, 40]) == []  # not rendered: nothing to measure


def test_a_wide_formula_is_a_warning_and_an_error_under_strict() -> None:
    wide = WideFormula("A/笔记.md", 40, 800)
    found = wide.diagnostic()
    assert (found.kind, found.severity, found.path, found.line) == (
        "wide-formula",
        "warning",
        "A/笔记.md",
        40,
    )
    assert found.format().startswith("A/笔记.md:40: warning: display formula about 800 px")
    assert [d.severity for d in strictly([found], strict=True)] == ["error"]


def test_no_display_formula_of_kb_is_wider_than_the_column(renderer: KatexRenderer) -> None:
    """kb is built with --strict: a formula wider than the column would fail its build."""
    notes = load_vault(REPO / "kb").notes.values()
    formulas = [(note.path, math) for note in notes for math in note.math if math.display]
    assert len(formulas) > 200
    rendered = renderer.render([(math.latex, True) for _, math in formulas])
    em = {
        (path, math.line): width_em(html)
        for (path, math), html in zip(formulas, rendered, strict=True)
    }
    wide = sorted(key for key, width in em.items() if width > COLUMN_EM)
    print(f"widest {max(em.values()) * FONT_PX:.0f} px of {COLUMN_EM * FONT_PX:.0f}")
    assert wide == []


def test_a_strict_build_fails_on_a_wide_formula(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``rlref build`` reports the MkDocs stage's wide formulas by the severity table (MkDocs
    itself is replaced by its result here: the hook that measures is tested above and on kb in
    test_kb_site.py)."""
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "笔记.md").write_text("---\ntitle: 笔记\n---\n# 笔记\n\n$$\nx\n$$\n", "utf-8")
    built = MkDocsResult(True, wide_formulas=[WideFormula("笔记.md", 6, 900)])
    monkeypatch.setattr(runner, "run_mkdocs", lambda *args, **kwargs: built)
    monkeypatch.chdir(REPO)  # mkdocs.yml and site/ are found from the repository
    arguments = ["build", str(vault), "--verify-json", str(tmp_path / "none.json")]
    relaxed = CliRunner().invoke(app, [*arguments, "--out", str(tmp_path / "a")])
    assert relaxed.exit_code == 0, relaxed.output
    assert "笔记.md:6: warning: display formula about 900 px" in relaxed.output
    strict = CliRunner().invoke(app, [*arguments, "--out", str(tmp_path / "b"), "--strict"])
    assert strict.exit_code == 1, strict.output
    assert "笔记.md:6: error: display formula about 900 px" in strict.output
    assert "1 formula(s) wider than the column fail the build (--strict" in strict.output
    built.wide_formulas.clear()
    clean = CliRunner().invoke(app, [*arguments, "--out", str(tmp_path / "c"), "--strict"])
    assert clean.exit_code == 0, clean.output
