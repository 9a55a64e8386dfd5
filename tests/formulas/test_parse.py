"""Normalisation and parsing: every identifier declared, nothing guessed."""

from __future__ import annotations

import pytest
import sympy as sp

from rlref.formulas import parse as parse_module
from rlref.formulas.api import CheckDefinitionError, Symbols, builtin, fn, indexed, reduction
from rlref.formulas.latex import LatexError
from rlref.formulas.parse import cache_key, parse_formula


def parse(latex: str, symbols: dict, axes: dict | None = None):
    return parse_formula(latex, Symbols(symbols, axes or {}))


def test_undeclared_identifier_is_named():
    with pytest.raises(LatexError, match=r"undeclared identifier 'b'"):
        parse("a + b", {"a": None})
    with pytest.raises(LatexError, match=r"undeclared identifier 's_\{t\+1\}'"):
        parse(r"V(s_{t+1})", {"V": fn("x"), "s_t": None})


def test_unknown_macro_is_an_error():
    with pytest.raises(LatexError, match=r"unknown macro \\nabla|undeclared identifier"):
        parse(r"\nabla_\theta a", {"a": None})
    with pytest.raises(LatexError, match=r"unknown macro \\top"):
        parse(r"a^\top b", {"a": None, "b": None})


def test_a_label_on_the_left_is_accepted_but_must_be_known_latex():
    # An undeclared left side is a label: it names the quantity and is not evaluated …
    assert parse(r"L^{\mathrm{CLIP}}(\pi^\star) = a", {"a": "x"}).lhs is None
    # … but a typo in it is still an error, not silence.
    with pytest.raises(LatexError, match=r"unknown macro \\foo on the left side"):
        parse(r"\foo{L} = a", {"a": None})
    with pytest.raises(LatexError, match=r"unknown macro \\fracc on the left side"):
        parse(r"L + \fracc{1}{2} = a", {"a": None})
    with pytest.raises(LatexError, match=r"never closed"):
        parse(r"L(\theta = a", {"a": None})


def test_declared_spelling_that_does_not_occur_is_an_error():
    with pytest.raises(LatexError, match=r"declared but not in the formula: \\beta"):
        parse("a", {"a": None, r"\beta": None})


def test_bars_separate_arguments_only_where_declared():
    p = parse(r"\pi(a \mid s) + q(a|s)", {r"\pi": fn("a | s"), "q": fn("a | s"),
                                          "a": None, "s": None})
    pi, q, a, s = p.object(r"\pi"), p.object("q"), p.object("a"), p.object("s")
    assert p.rhs == pi(a, s) + q(a, s)
    with pytest.raises(LatexError, match="mid outside the argument list"):
        parse(r"f(a \mid s)", {"f": fn("a"), "a": None, "s": None})


def test_arity_and_missing_argument_list():
    with pytest.raises(LatexError, match="takes 2 argument"):
        parse("f(a)", {"f": fn("x, y"), "a": None})
    with pytest.raises(LatexError, match="without an argument list"):
        parse("f + a", {"f": fn("x"), "a": None})


def test_parenless_log_takes_one_factor():
    p = parse(r"\log p A", {"p": None, "A": None})
    assert p.rhs == sp.log(p.object("p")) * p.object("A")


def test_reduction_operand_ends_at_plus_or_minus():
    p = parse(r"\sum_t x_t + y", {r"\sum_t": reduction("sum", "t"), "x_t": None, "y": None},
              {"t": 3})
    total = p.object(r"\sum_t")
    assert p.rhs == total(p.object("x_t")) + p.object("y")
    p = parse(r"\mathbb{E}_t\left[a - b\right] c", {r"\mathbb{E}_t": reduction("mean", "t"),
                                                     "a": None, "b": None, "c": None}, {"t": 3})
    mean = p.object(r"\mathbb{E}_t")
    assert p.rhs == mean((p.object("a") - p.object("b")) * p.object("c"))


def test_superscript_of_a_value_is_a_power_and_names_can_carry_one():
    symbols = {r"\hat{A}_t": None, r"G^{\lambda}": indexed("k")}
    p = parse(r"\hat{A}_t^2 + G^{\lambda}_{t+1}", symbols, {"t": 3})
    G = p.object(r"G^{\lambda}")
    assert p.rhs == p.object(r"\hat{A}_t") ** 2 + G(p.object("t") + 1)


def test_indicator_and_declared_lengths():
    symbols = {"a": None, "b": None, "|y_w|": None, "c": None}
    p = parse(r"\mathbb{1}[a \ge 0] \frac{b}{|y_w|} + |c|", symbols)
    a, b, n, c = (p.object(s) for s in ("a", "b", "|y_w|", "c"))
    indicator = parse_module.SYMPY_BUILTINS["indicator_ge"]
    assert p.rhs == indicator(a, 0) * b / n + sp.Abs(c)


def test_left_side_is_a_label_unless_declared():
    p = parse("L = a", {"a": None})
    assert p.lhs is None and p.lhs_latex == "L"
    p = parse(r"\delta_t = a", {r"\delta": indexed("k"), "a": None}, {"t": 3})
    assert p.lhs == p.object(r"\delta")(p.object("t"))


def test_axis_names_are_index_letters():
    p = parse("x_{t+1}", {"x": indexed("k")}, {"t": 4})
    t = p.object("t")
    assert t.is_integer and p.rhs == p.object("x")(t + 1)


def test_bad_function_text_is_reported():
    with pytest.raises(CheckDefinitionError, match="parameters must be names"):
        parse("f(a)", {"f": fn("1x"), "a": None})


def test_parses_are_cached_by_latex_and_binding(tmp_path, monkeypatch):
    monkeypatch.setenv("RLREF_FORMULA_CACHE", str(tmp_path))
    binding = Symbols({"a": None, "b": None})
    first = parse_formula("a + b", binding)
    assert parse_formula("a + b", binding) is first  # memory
    assert len(list(tmp_path.glob("*.pickle"))) == 1  # disk
    parse_module._memory.clear()
    again = parse_formula("a + b", binding)
    assert again is not first and again.rhs == first.rhs
    other = Symbols({"a": None, "b": fn("u")})
    assert cache_key("a + b", binding) != cache_key("a + b", other)
    assert cache_key("a + b", binding) != cache_key("a - b", binding)


def test_expanded_writes_out_builtins():
    p = parse(r"\sigma(a)", {r"\sigma": builtin("sigmoid"), "a": None})
    assert sp.simplify(p.expanded() - 1 / (1 + sp.exp(-p.object("a")))) == 0


def test_a_declared_norm_is_one_value_and_undeclared_bars_still_separate():
    p = parse(r"a + c \|\theta\|^{2}", {"a": None, "c": None, r"\|\theta\|": None})
    assert len(p.rhs.free_symbols) == 3  # a, c and the norm: θ is not a symbol of its own
    with pytest.raises(LatexError):
        parse(r"a + c \|\theta\|^{2}", {"a": None, "c": None, r"\theta": None})
