r"""Paper notation (rlref.formulas.notation): piecewise ``cases``, conditions, indicators,
reductions over a set ``\{r_1, \dots, r_G\}``, words with ``\_``, labels with punctuation —
read exactly, checked numerically, and wrong versions caught; what is not supported is an
error that names the construct."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import sympy as sp

from rlref.algos.advantages import group_advantages
from rlref.algos.grpo_variants import dapo_overlong_penalty
from rlref.formulas import parse as parse_module
from rlref.formulas import vault_formulas
from rlref.formulas.api import Check, CheckDefinitionError, Symbols, indexed, reduction
from rlref.formulas.latex import LatexError, canonical_spelling
from rlref.formulas.mutants import checked_mutants
from rlref.formulas.normalise import normalise
from rlref.formulas.numeric import BindingError, CheckFailure, check_numeric
from rlref.formulas.parse import parse_formula
from rlref.formulas.registry import load_checks
from rlref.formulas.vocabulary import build_vocabulary

FIXTURE_VAULT = Path(__file__).resolve().parents[1] / "fixtures" / "formula_vault"


def parse(latex: str, symbols: dict, axes: dict | None = None):
    return parse_formula(latex, Symbols(symbols, axes or {}))


AB = {"a": None, "b": None}


# ---------------------------------------------------------------------------- piecewise
@pytest.mark.parametrize(
    "latex",
    [
        r"\begin{cases} a & \text{if } a > 0 \\ b & \text{otherwise} \end{cases}",
        r"\begin{cases} a, & a > 0, \\ b, & \text{else.} \end{cases}",
        r"\begin{cases} a, \quad \text{if } a > 0 \\ b, \quad \text{否则} \end{cases}",
        r"\begin{cases} a, & \text{when } a > 0 \\[2pt] b & \text{Otherwise} \end{cases}",
        r"\begin{cases} a, \quad a > 0 \\ b & \mathrm{otherwise} \\ \end{cases}",
        r"\begin{dcases} a & \text{if}\ a > 0 \\ b & \text{else} \end{dcases}",
    ],
)
def test_piecewise_spellings_read_the_same(latex):
    p = parse("f = " + latex, AB)
    a, b = p.object("a"), p.object("b")
    assert p.rhs == sp.Piecewise((a, a > 0), (b, True))
    assert p.lhs is None and p.lhs_latex == "f"  # the one relation is the '=' outside


@pytest.mark.parametrize(
    ("operator", "relation"),
    [
        ("<", sp.Lt),
        (">", sp.Gt),
        (r"\le", sp.Le),
        (r"\leq", sp.Le),
        (r"\ge", sp.Ge),
        (r"\geq", sp.Ge),
        ("=", sp.Eq),
        (r"\neq", sp.Ne),
        (r"\ne", sp.Ne),
    ],
)
def test_each_comparison_becomes_its_relation(operator, relation):
    p = parse(rf"\begin{{cases}} a & a {operator} b \\ 0 & \text{{otherwise}} \end{{cases}}", AB)
    a, b = p.object("a"), p.object("b")
    assert p.rhs == sp.Piecewise((a, relation(a, b)), (0, True))


def test_compound_conditions():
    a, b = sp.symbols("a b")
    p = parse(
        r"\begin{cases} a & 0 < a \le b \\ b & a > 0, b < 0 \\ 1 & a = 0 \text{ or } "
        r"\neg(b \ge 1) \\ 2 & \text{otherwise} \end{cases}",
        AB,
    )
    a, b = p.object("a"), p.object("b")
    assert p.rhs == sp.Piecewise(
        (a, sp.And(a > 0, a <= b)),
        (b, sp.And(a > 0, b < 0)),
        (1, sp.Or(sp.Eq(a, 0), sp.Not(b >= 1))),
        (2, True),
    )


OVERLONG = Check(
    impl=dapo_overlong_penalty,
    axes={"n": 40},
    inputs={"length": lambda v: v.integers(1, 40, v.n), "L_max": 30, "L_cache": 8},
    symbols={
        "|y|": lambda v: v.length,
        r"\mathrm{max\_len}": lambda v: v.L_max,
        r"L_{\mathrm{cache}}": lambda v: v.L_cache,
    },
    args={
        "lengths": lambda v: v.length,
        "max_length": lambda v: v.L_max,
        "cache_length": lambda v: v.L_cache,
    },
    cover=[
        lambda v: v.length <= v.L_max - v.L_cache,
        lambda v: (v.length > v.L_max - v.L_cache) & (v.length <= v.L_max),
        lambda v: v.length > v.L_max,
    ],
)
OVERLONG_CASES = (
    r"R(y) = \begin{cases} 0, & |y| \le \mathrm{max\_len} - L_{\mathrm{cache}} \\"
    r" \dfrac{(\mathrm{max\_len} - L_{\mathrm{cache}}) - |y|}{L_{\mathrm{cache}}}, &"
    r" \mathrm{max\_len} - L_{\mathrm{cache}} < |y| \le \mathrm{max\_len} \\"
    r" -1, & \text{otherwise} \end{cases}"
)


@pytest.mark.parametrize(
    "latex",
    [
        OVERLONG_CASES,
        OVERLONG_CASES.replace(r"\text{otherwise}", r"|y| > \mathrm{max\_len}"),
        OVERLONG_CASES.replace(r"< |y| \le", r"< |y| \text{ and } |y| \le"),
        OVERLONG_CASES.replace(r", & |y| \le", r" \quad \text{if } |y| \le"),
    ],
)
def test_piecewise_agrees_with_the_code(latex):
    report = check_numeric(latex, OVERLONG)
    assert report.max_abs_error == 0.0


@pytest.mark.parametrize(
    ("wrong", "error"),
    [
        ((r"|y| \le \mathrm{max\_len} - L", r"|y| \ge \mathrm{max\_len} - L"), "fails"),
        ((r"-1, & \text{otherwise}", r"1, & \text{otherwise}"), "fails"),
        ((r"L_{\mathrm{cache}}) - |y|", r"L_{\mathrm{cache}}) + |y|"), "fails"),
        ((r"\\ -1, & \text{otherwise}", ""), "non-finite"),  # no row holds past max_len: NaN
    ],
)
def test_a_wrong_piecewise_is_caught(wrong, error):
    latex = OVERLONG_CASES.replace(*wrong)
    assert latex != OVERLONG_CASES
    with pytest.raises(CheckFailure, match=error):
        check_numeric(latex, OVERLONG)


@pytest.mark.parametrize(
    ("latex", "message"),
    [
        (r"\begin{cases} a & a > 0 \end{cases}", "two or more rows"),
        (
            r"\begin{cases} a & a > 0 \\ b \end{cases}",
            r"row 2 of \\begin\{cases\} has no condition",
        ),
        (r"\begin{cases} a & \text{otherwise} \\ b & a > 0 \end{cases}", "must be the last row"),
        (r"\begin{cases} a & a > 0 & b \\ b & \text{otherwise} \end{cases}", "more than one &"),
        (r"\begin{cases} a & \text{if } \\ b & \text{otherwise} \end{cases}", "condition is empty"),
        (r"\begin{cases} a & a \\ b & \text{otherwise} \end{cases}", "'a' is not a condition"),
        (r"\begin{cases} a & a > \\ b & \text{otherwise} \end{cases}", "nothing on one side"),
        (
            r"\begin{cases} a & a > 0 \text{ if } b > 0 \\ b & \text{else} \end{cases}",
            "'if' in the middle of a condition",
        ),
        (
            r"\begin{cases} a & \text{otherwise } a > 0 \\ b & a < 0 \end{cases}",
            "nothing may follow",
        ),
    ],
)
def test_piecewise_errors_name_the_row(latex, message):
    with pytest.raises(LatexError, match=message):
        parse(latex, AB)


# ---------------------------------------------------------------------------- indicators
@pytest.mark.parametrize(
    "indicator",
    [
        r"\mathbb{1}[a > 0]",
        r"\mathbb{1}\{a > 0\}",
        r"\mathbb{1}\left\{a > 0\right\}",
        r"\mathbb{I}[a > 0]",
        r"\mathbb{I}(a > 0)",
        r"\mathbf{1}[a > 0]",
        r"\boldsymbol{1}[a > 0]",
        r"\mathbb{1}_{a > 0}",
        r"\mathbb{1}_{\{a > 0\}}",
    ],
)
def test_indicator_spellings(indicator):
    p = parse(indicator + " b", AB)
    greater = parse_module.SYMPY_BUILTINS["indicator_gt"]
    assert p.rhs == greater(p.object("a"), 0) * p.object("b")


def test_a_compound_indicator_is_one_or_zero():
    p = parse(r"\mathbb{1}\{0 < a \le b\}", AB)
    a, b = p.object("a"), p.object("b")
    assert p.rhs == sp.Piecewise((1, sp.And(a > 0, a <= b)), (0, True))


def test_a_declared_spelling_replaces_the_prelude_indicator():
    p = parse(r"\mathbf{1} a", {r"\mathbf{1}": None, "a": None})
    assert p.rhs == p.object(r"\mathbf{1}") * p.object("a")


@pytest.mark.parametrize(
    ("latex", "truth", "wrong"),
    [
        (r"\mathbb{I}(a > b)", lambda v: v.x > v.y, r"\mathbb{I}(a < b)"),
        (r"\mathbf{1}[a \le b] b", lambda v: (v.x <= v.y) * v.y, r"\mathbf{1}[a \ge b] b"),
        (
            r"\mathbb{1}\{a > 0, b > 0\}",
            lambda v: (v.x > 0) & (v.y > 0),
            r"\mathbb{1}\{a > 0, b < 0\}",
        ),
        (
            r"\mathbb{1}[a > 0 \lor b > 0]",
            lambda v: (v.x > 0) | (v.y > 0),
            r"\mathbb{1}[a > 0 \land b > 0]",
        ),
        (
            r"\mathbb{1}_{-1 < a < b}",
            lambda v: (v.x > -1) & (v.x < v.y),
            r"\mathbb{1}_{-1 < a > b}",
        ),
    ],
)
def test_indicators_agree_with_numpy_and_a_wrong_one_fails(latex, truth, wrong):
    binding = Check(
        axes={"n": 50},
        inputs={"x": lambda v: v.normal(0, 1, v.n), "y": lambda v: v.normal(0, 1, v.n)},
        symbols={"a": lambda v: v.x, "b": lambda v: v.y},
        relation=lambda v: (v.formula, "==", v.float64(truth(v))),
    )
    check_numeric(latex, binding)
    with pytest.raises(CheckFailure, match="fails"):
        check_numeric(wrong, binding)


@pytest.mark.parametrize(
    ("latex", "message"),
    [
        (r"\mathbb{1} a", r"needs a condition: \\mathbb\{1\}\[a < b\]"),
        (r"\mathbb{1}[a]", "'a' is not a condition"),
        (r"\mathbb{1}[a \in [0, b]]", r"set membership \(\\in\) is not supported.*a \\le x \\le b"),
    ],
)
def test_indicator_errors(latex, message):
    with pytest.raises(LatexError, match=message):
        parse(latex, AB)


# ---------------------------------------------------------------------------- sets
GROUP = Check(
    impl=group_advantages,
    dims={"P": 3, "G": 5},
    axes={"g": lambda v: v.P, "i": lambda v: v.G, "j": lambda v: v.G},
    inputs={"R": lambda v: v.integers(0, 2, v.P, v.G) + v.normal(0, 0.1, v.P, v.G), "eps": 1e-4},
    symbols={
        "r": indexed(lambda v, n: v.R[v.g, n]),
        "G": lambda v: v.G,
        r"\mathrm{mean}": reduction("mean", "j"),
        r"\mathrm{std}": reduction("std", "j", ddof=1),
        r"\epsilon": lambda v: v.eps,
    },
    args={
        "rewards": lambda v: v.reshape(v.R, v.P * v.G),
        "group_size": lambda v: v.G,
        "scale": "group",
        "eps": lambda v: v.eps,
    },
    relation=lambda v: (v.reshape(v.out, v.P, v.G), "==", v.formula),
)
ADVANTAGE = (
    r"\hat{A}_i = \frac{r_i - \mathrm{mean}(\{r_1, \dots, r_G\})}"
    r"{\mathrm{std}(\{r_1, \ldots, r_G\}) + \epsilon}"
)

POPULATION_STD = dataclasses.replace(
    GROUP, symbols={**GROUP.symbols, r"\mathrm{std}": reduction("std", "j", ddof=0)}
)


def test_a_set_is_the_reduction_of_the_indexed_element():
    p = parse_formula(ADVANTAGE, GROUP)
    r, mean, std = p.object("r"), p.object(r"\mathrm{mean}"), p.object(r"\mathrm{std}")
    j, i, G, eps = (
        sp.Symbol("j", integer=True),
        sp.Symbol("i", integer=True),
        p.object("G"),
        p.object(r"\epsilon"),
    )
    assert p.rhs == (r(i) - mean(r(j), 1, G)) / (std(r(j), 1, G) + eps)


@pytest.mark.parametrize(
    "latex",
    [
        ADVANTAGE,
        ADVANTAGE.replace(
            r"\mathrm{mean}(\{r_1, \dots, r_G\})", r"\operatorname{mean}(r_1, r_2, \cdots, r_G)"
        ),
        ADVANTAGE.replace(
            r"\mathrm{std}(\{r_1, \ldots, r_G\})", r"\mathrm{std}\{r_0, \dots, r_{G-1}\}"
        ),
        ADVANTAGE.replace(
            r"(\{r_1, \dots, r_G\})", r"\left(\left\{r_{1}, \dots, r_{G}\right\}\right)"
        ),
    ],
)
def test_mean_and_std_over_a_set_agree_with_the_code(latex):
    assert check_numeric(latex, GROUP).max_abs_error < 1e-12


@pytest.mark.parametrize(
    ("latex", "binding", "error", "message"),
    [
        (ADVANTAGE.replace("r_i -", "r_i +"), GROUP, CheckFailure, "fails"),
        (ADVANTAGE, POPULATION_STD, CheckFailure, "fails"),  # not what torch.std computes
        (
            ADVANTAGE.replace(r"\ldots, r_G", r"\ldots, r_{G-1}"),
            GROUP,
            BindingError,
            "the set has 4 element.* but the axis j has 5",
        ),
        (ADVANTAGE.replace(r"\{r_1, \dots", r"\{r_0, \dots"), GROUP, BindingError, "the set has 6"),
    ],
)
def test_a_wrong_set_is_caught(latex, binding, error, message):
    with pytest.raises(error, match=message):
        check_numeric(latex, binding)


@pytest.mark.parametrize(
    ("latex", "message"),
    [
        (r"\mathrm{mean}(\{r_1, r_3, \dots, r_G\})", r"element 2 of the set should be r_\{2\}"),
        (r"\mathrm{mean}(\{r_1, r_G\})", r"write the set as \\\{x_1, \\dots, x_N\\\}"),
        (r"\mathrm{mean}(\{r_1, \dots\})", "write the set as"),
        (r"\mathrm{mean}(\{q_{1,1}, \dots, q_{G,G}\})", "differ in more than one index"),
        (r"\mathrm{mean}(\{r_1, \dots, r_1\})", "must differ in their index"),
        (
            r"\mathrm{mean}(\{s_1, \dots, s_G\})",
            r"in the set of mean: undeclared identifier 's_\{j\}'",
        ),
        (
            r"\mathrm{avg}(\{r_1, \dots, r_G\})",
            r"undeclared identifier 'avg' \(declare it as a "
            r"reduction .*'\\mathrm\{avg\}': reduction\('mean', 'j'\)",
        ),
        (
            r"\max(\{r_1, \dots, r_G\})",
            r"\\max of a set: declare \\max as a reduction.*reduction\('max', 'j'\)",
        ),
        (r"\mathrm{mean}(r_j) + r_1 + \dots + r_G", r"\\dots outside a set"),
        (
            r"\mathrm{mean}(r_j) + |\{r_j \mid r_j > 0\}|",
            r"a set \\\{…\\\} is read only as the operand",
        ),
        (r"\mathrm{mean}(r)", r"r is an indexed base: it needs a subscript"),
    ],
)
def test_set_errors(latex, message):
    symbols = {
        "r": indexed("n"),
        "q": indexed("m, n"),
        "G": None,
        r"\mathrm{mean}": reduction("mean", "j"),
    }
    with pytest.raises(LatexError, match=message):
        parse_formula(latex, Symbols(symbols, {"j": 5}))


def test_a_set_reduction_runs_over_one_axis():
    binding = Symbols(
        {"r": indexed("n"), "G": None, r"\mathrm{mean}": reduction("mean", "j", "k")},
        {"j": 3, "k": 3},
    )
    with pytest.raises(LatexError, match="runs over one axis, not j, k"):
        parse_formula(r"\mathrm{mean}(\{r_1, \dots, r_G\})", binding)


def test_std_and_var_say_which_estimator():
    with pytest.raises(CheckDefinitionError, match="std needs ddof"):
        reduction("std", "j")
    with pytest.raises(CheckDefinitionError, match="ddof applies to std and var only"):
        reduction("mean", "j", ddof=1)
    raw = Check(
        axes={"j": 6},
        inputs={"x": lambda v: v.normal(0, 1, v.j)},
        symbols={
            r"\mathrm{var}": reduction("var", "j", ddof=0),
            "x": indexed(lambda v, k: v.x[k]),
            "N": 6,
        },
        relation=lambda v: (v.formula, "==", v.var(v.x, v.j)),
    )
    check_numeric(r"\mathrm{var}(\{x_1, \dots, x_N\})", raw)
    sample = dataclasses.replace(raw, relation=lambda v: (v.formula, "==", v.var(v.x, v.j, ddof=1)))
    with pytest.raises(CheckFailure):
        check_numeric(r"\mathrm{var}(\{x_1, \dots, x_N\})", sample)


# ---------------------------------------------------------------------------- words, labels
def test_a_word_with_underscores_is_one_identifier():
    assert canonical_spelling(r"\mathrm{min\_len}") == canonical_spelling(r"\text{min\_len}")
    p = parse(r"a - \operatorname{min\_len}", {"a": None, r"\mathrm{min\_len}": None})
    assert p.rhs == p.object("a") - p.object(r"\text{min\_len}")
    with pytest.raises(LatexError, match="undeclared identifier 'min_len'"):
        parse(r"a - \mathrm{min\_len}", {"a": None})


@pytest.mark.parametrize(
    "label",
    [
        r"L_{\mathrm{Dr.GRPO}}",
        r"\mathcal{L}^{\text{GRPO-v2}}",
        r"\mathcal{L}_{\text{REINFORCE++}}",
        r"\hat{A}_i^{\mathrm{Dr.GRPO}}",
        r"J_{\text{GRPO (v2)}}(\theta)",
    ],
)
def test_a_label_may_have_punctuation(label):
    p = parse(label + " = a + b", AB)
    assert p.lhs is None and p.rhs == p.object("a") + p.object("b")
    assert "GRPO" in (p.lhs_latex or "") or "REINFORCE" in (p.lhs_latex or "")


def test_a_typo_in_a_punctuated_label_is_still_an_error():
    with pytest.raises(LatexError, match=r"unknown macro \\fracc on the left side"):
        parse(r"L_{\mathrm{Dr.GRPO}} + \fracc{1}{2} = a + b", AB)
    with pytest.raises(LatexError, match="only a word"):  # on the right, a word is a name
        parse(r"a + b + \text{GRPO+}", AB)


# ---------------------------------------------------------------------------- unsupported
@pytest.mark.parametrize(
    ("latex", "message"),
    [
        (r"\begin{aligned} a &= b \\ &= c \end{aligned}", r"a chain a = b = c.*tag each relation"),
        (
            r"\begin{align*} a &= b \end{align*}",
            r"\\begin\{align\*\} is not supported: break one formula over lines with "
            r"\\begin\{aligned\}",
        ),
        (
            r"f = \left\{\begin{array}{ll} a & a > 0 \\ b & b > 0 \end{array}\right.",
            r"\\begin\{array\} is not supported: write a piecewise definition as \\begin\{cases\}",
        ),
        (r"\begin{pmatrix} a & b \end{pmatrix}", "a matrix.*declare the matrix as one value"),
        (
            r"\begin{tabular} a \end{tabular}",
            r"only \\begin\{cases\} and \\begin\{aligned\} are read",
        ),
        (r"a & b", r"'&' outside \\begin\{cases\} and \\begin\{aligned\}"),
        (r"a \\ b", r"line break \\\\ outside \\begin\{cases\} and \\begin\{aligned\}"),
        (r"a + \left(b \\ a\right)", r"line break \\\\ outside"),  # \left…\right is no environment
        (r"a + \{b\}", r"a set \\\{…\\\} is read only as the operand of a declared reduction"),
    ],
)
def test_unsupported_notation_is_named_with_its_rewrite(latex, message):
    with pytest.raises(LatexError, match=message):
        parse(latex, AB)


def test_notation_errors_are_found_without_sympy():
    # what rlref check runs on a formula's declared spellings: the normaliser alone
    vocabulary = build_vocabulary(Symbols(AB))
    with pytest.raises(LatexError, match=r"\\begin\{gather\} is not supported"):
        normalise(r"\begin{gather} a = b \end{gather}", vocabulary)
    normalise(r"\begin{aligned} a &= b \\ &\quad + a \end{aligned}", vocabulary)
    normalise(r"\begin{cases} a & a > 0 \\ b & \text{否则} \end{cases}", vocabulary)


# ---------------------------------------------------------------------------- aligned
ALIGNED = r"\begin{aligned} c &= a + b \\ &\quad - a b \\[2pt] &\quad + \frac{a}{2} \end{aligned}"
SUM_MINUS_PRODUCT = Check(
    axes={"n": 50},
    inputs={"x": lambda v: v.normal(0, 1, v.n), "y": lambda v: v.normal(0, 1, v.n)},
    symbols={"a": lambda v: v.x, "b": lambda v: v.y},
    relation=lambda v: (v.formula, "==", v.x + v.y - v.x * v.y + v.x / 2),
)


def test_an_aligned_formula_parses_as_its_one_line_form():
    assert parse(ALIGNED, AB).rhs == parse(r"c = a + b - a b + \frac{a}{2}", AB).rhs


def test_an_aligned_formula_is_checked_and_each_of_its_mutants_fails():
    check_numeric(ALIGNED, SUM_MINUS_PRODUCT)
    mutants = dict(checked_mutants(ALIGNED, SUM_MINUS_PRODUCT))
    # the signs that open the second and third lines are binary: flipped, not dropped
    assert {
        ALIGNED.replace("&\\quad - a", "&\\quad + a"),
        ALIGNED.replace("&\\quad + \\frac", "&\\quad - \\frac"),
    } <= set(mutants.values())
    assert len(mutants) == 4, mutants  # and a + b, and the fraction inverted
    for name, mutant in mutants.items():
        with pytest.raises(CheckFailure, match="fails"):
            check_numeric(mutant, SUM_MINUS_PRODUCT)
        assert name


# ---------------------------------------------------------------------------- the fixture vault
PAPER_NOTATION = {  # (note, formula id) of the fixture vault written in paper notation
    ("AI/LLM/RL/PPO/PPO 原理", "ppo-dual-clip-cases"),
    ("AI/LLM/RL/DAPO/DAPO 原理", "dapo-dynamic-sampling-set"),
    ("AI/LLM/RL/DAPO/DAPO 原理", "dapo-overlong-penalty-cases"),
    ("AI/LLM/RL/GRPO/GRPO 深度理解", "grpo-advantage-mean-std"),
    ("AI/LLM/RL/GRPO/GRPO 深度理解", "dr-grpo-advantage"),
}
# the same function as the original, for the reasons given for ppo-dual-clip in test_mutation
EQUIVALENT = {("ppo-dual-clip-cases", "'+'→'-' at 140"), ("ppo-dual-clip-cases", "'-'→'+' at 277")}


FIXTURE_CHECKS = load_checks(FIXTURE_VAULT)


def _paper_formulas():
    found = [(n, f) for n, f in vault_formulas(FIXTURE_VAULT) if (n.key, f.id) in PAPER_NOTATION]
    assert {(n.key, f.id) for n, f in found} == PAPER_NOTATION
    return found


@pytest.mark.parametrize(("note", "formula"), _paper_formulas(), ids=lambda x: getattr(x, "id", ""))
def test_fixture_paper_notation_mutants_fail(note, formula):
    binding = FIXTURE_CHECKS[note.key, formula.id].function()
    check_numeric(formula.latex, binding)
    mutants = list(checked_mutants(formula.latex, binding))
    assert mutants
    for name, mutant in mutants:
        if (formula.id, name) in EQUIVALENT:
            check_numeric(mutant, binding)  # still the same function
            continue
        with pytest.raises((CheckFailure, LatexError, BindingError)):
            check_numeric(mutant, binding, seeds=[0])
    equivalents = {name for f, name in EQUIVALENT if f == formula.id}
    assert equivalents <= {name for name, _ in mutants}
