"""A formula nested thousands deep gets a clear error at its line from `rlref verify`, and the
site's KaTeX renderer shows it as an error span and goes on (issue: hostile and careless
input, "no tracebacks")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rlref.site.mathrender import KatexRenderer

REPO = Path(__file__).resolve().parents[2]
DEPTHS = {"shallow": 3, "deep": 45, "very-deep": 5000}


def _formula(depth: int) -> str:
    return r"S = \sum_{t=1}^{T} m_t " + "(" * depth + "x_t" + ")" * depth


CHECK = """
from rlref.algos.lm import masked_sum
from rlref.formulas.api import Check, formula_check, reduction


def _check() -> Check:
    return Check(
        impl=masked_sum,
        axes={"b": 2, "t": 5},
        inputs={"x": lambda v: v.normal(0, 1, v.b, v.t), "m": lambda v: v.prefix_mask(v.b, v.t)},
        symbols={
            "m_t": lambda v: v.m,
            "x_t": lambda v: v.x,
            r"\\sum_{t=1}^{T}": reduction("sum", "t"),
        },
        args={"x": lambda v: v.x, "mask": lambda v: v.m, "dim": -1},
    )


@formula_check("深", "shallow")
def check_shallow() -> Check:
    return _check()


@formula_check("深", "deep")
def check_deep() -> Check:
    return _check()


@formula_check("深", "very-deep")
def check_very_deep() -> Check:
    return _check()
"""


def test_verify_reports_a_deep_formula_at_its_line(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    body = "".join(
        f"<!-- formula: {name} -->\n$$\n{_formula(depth)}\n$$\n\n" for name, depth in DEPTHS.items()
    )
    (vault / "深.md").write_text("---\ntitle: 深\n---\n# 深\n\n" + body, "utf-8")
    (vault / ".rlref.toml").write_text('checks = "../checks"\n', "utf-8")
    (tmp_path / "checks").mkdir()
    (tmp_path / "checks" / "deep.py").write_text(CHECK, "utf-8")
    out = tmp_path / "verify.json"
    done = subprocess.run(
        [sys.executable, "-m", "rlref.cli", "verify", "--vault", str(vault), "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        env={**os.environ, "RLREF_FORMULA_CACHE": ""},
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    statuses = {f["formula"]: f for f in json.loads(out.read_text("utf-8"))["formulas"]}
    assert statuses["shallow"]["status"] == "pass", statuses["shallow"]
    for name, line in (("deep", 12), ("very-deep", 17)):
        assert statuses[name]["status"] == "fail", statuses[name]
        assert statuses[name]["line"] == line
        assert "nests groups more than 40 deep" in statuses[name]["message"]


@pytest.mark.skipif(not (REPO / "site" / "node_modules" / "katex").is_dir(), reason="needs npm ci")
def test_the_site_renderer_shows_a_deep_formula_as_an_error_and_goes_on() -> None:
    renderer = KatexRenderer(REPO / "site")
    try:
        deep = [("{" * 5000 + "x" + "}" * 5000, True), ("x^{" * 5000 + "2" + "}" * 5000, False)]
        rendered = renderer.render([*deep, ("a+b", False)])
    finally:
        renderer.close()
    assert all(html.startswith('<span class="katex-error"') for html in rendered[:2])
    assert "<script" not in "".join(rendered[:2])
    assert rendered[2].startswith('<span class="katex">')
