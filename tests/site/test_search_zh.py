"""Chinese search: the query segmented the way the index was (site/assets/javascripts/
search-zh.js under node, whose Intl.Segmenter is ICU's as in Chromium), the index without
LaTeX, the tag and concept pages out of it, stubs ranked below notes."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from rlref.site.searchindex import strip_latex, strip_math

SCRIPT = Path(__file__).resolve().parents[2] / "site" / "assets" / "javascripts" / "search-zh.js"
SEPARATOR = (
    '[\\s\\u200b\\u3000\\-、。，．？！；：（）【】《》「」“”‘’,:;!?()\\[\\]"/]+'
    "|(?<=[A-Za-z0-9])(?=[\\u4e00-\\u9fff])|(?<=[\\u4e00-\\u9fff])(?=[A-Za-z0-9])"
)
# What jieba made of a text: words separated by U+200B.
INDEX = {
    "config": {"separator": SEPARATOR},
    "docs": [
        {"title": "贝尔曼\u200b方程", "text": "<p>KL\u200b散度\u200b与\u200b重要性\u200b采样</p>"},
        {"title": "GAE", "text": "<p>优势\u200b函数\u200b，\u200b策略\u200b梯度</p>"},
    ],
}

_RUN = """
const search = require(process.argv[1]);
const [index, queries] = JSON.parse(process.argv[2]);
if (index) search.learn(index);
process.stdout.write(JSON.stringify(queries.map(search.transform)));
"""


def transform(*queries: str, index: dict | None = INDEX) -> list[str]:
    node = shutil.which("node")
    assert node is not None
    out = subprocess.run(
        [node, "-e", _RUN, str(SCRIPT), json.dumps([index, queries])],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(out.stdout)


def test_queries_are_cut_into_the_index_words_and_all_required() -> None:
    assert transform("策略梯度", "优势函数", "重要性采样", "贝尔曼方程", "KL散度") == [
        "+策略 +梯度*",
        "+优势 +函数*",
        "+重要性 +采样*",
        "+贝尔曼 +方程*",  # Intl.Segmenter says 贝尔|曼; the index has 贝尔曼
        "+KL +散度*",  # and 散|度
    ]


def test_words_the_index_does_not_have_are_cut_into_ones_it_has() -> None:
    assert transform("方程函数", "ppo  clip") == ["+方程 +函数*", "+ppo +clip*"]


def test_lunr_syntax_goes_through_as_typed() -> None:
    assert transform('"策略 梯度"', "Bradley-Terry", "title:PPO", "", "+策略梯度 -KL散度") == [
        '"策略 梯度"',
        "Bradley-Terry",
        "title:PPO",
        "",
        "+策略 +梯度 -KL 散度",
    ]


def test_before_the_index_is_known_the_segmenter_alone_cuts() -> None:
    assert transform("策略梯度", index=None) == ["+策略 +梯度*"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<p>当 \\(\\pi_\\theta &lt; 1\\) 时</p>", "<p>当 时</p>"),
        ("目标\n\\[\nJ = \\sum_t r_t\n\\]\n结束", "目标\n \n结束"),
        ("no math \\alpha", "no math \\alpha"),
    ],
)
def test_formulas_leave_the_index_text(text: str, expected: str) -> None:
    assert strip_latex(text) == expected


def test_the_index_file_is_rewritten(tmp_path: Path) -> None:
    index = tmp_path / "search_index.json"
    docs = [{"location": "a.html", "title": "估计器 \\(k_1\\)", "text": "<p>\\(x\\) 是</p>"}]
    index.write_text(json.dumps({"config": {}, "docs": docs}), "utf-8")
    assert strip_math(index)
    assert json.loads(index.read_text("utf-8"))["docs"] == [
        {"location": "a.html", "title": "估计器", "text": "<p> 是</p>"}
    ]
    assert not strip_math(tmp_path / "missing.json")


RANK = SCRIPT.with_name("search-rank.js")
_RANK_RUN = """
const ranking = require(process.argv[1]);
const [docs, items, query] = JSON.parse(process.argv[2]);
const ranked = ranking.rank(items, query, ranking.documents(docs));
process.stdout.write(JSON.stringify(ranked.map(group => group[0].location)));
"""
# What the index holds (jieba's words separated by U+200B) for five pages.
RANKED_DOCS = [
    {"location": "words-apart.html", "title": "函数\u200b近似", "text": "优势\u200b很大 的 函数"},
    {"location": "stub.html", "title": "优势\u200b函数", "text": "", "boost": 0.3},
    {"location": "in-text.html", "title": "GAE", "text": "估计\u200b优势\u200b函数", "boost": 2},
    {"location": "heading.html", "title": "基线", "text": "", "boost": 2},
    {"location": "heading.html#a", "title": "优势\u200b 函数", "text": "", "boost": 2},
    {"location": "alias.html", "title": "优势", "text": "函数", "tags": ["优势\u200b函数"]},
]


def ranked(query: str, *pages: str) -> list[str]:
    """``pages`` (in lunr's order, each "page.html,page.html#section" with the sections
    found in it) as search-rank.js orders them for ``query``."""
    node = shutil.which("node")
    assert node is not None
    items = [[{"location": doc, "score": 1} for doc in page.split(",")] for page in pages]
    out = subprocess.run(
        [node, "-e", _RANK_RUN, str(RANK), json.dumps([RANKED_DOCS, items, query])],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(out.stdout)


def test_pages_holding_the_phrase_come_first_titles_and_aliases_before_text() -> None:
    lunr_order = [
        "words-apart.html",
        "stub.html",
        "in-text.html",
        "heading.html,heading.html#a",
        "alias.html",
    ]
    assert ranked("+优势 +函数*", *lunr_order) == [
        "alias.html",  # the phrase is an alias
        "stub.html",  # its title, but a stub: after every page with content in its tier
        "heading.html",  # a heading
        "in-text.html",  # the text
        "words-apart.html",  # the words apart
    ]


def test_stubs_come_after_pages_of_the_same_tier_and_lunr_order_is_kept_otherwise() -> None:
    assert ranked("+函数*", "words-apart.html", "stub.html", "alias.html") == [
        "words-apart.html",
        "alias.html",
        "stub.html",  # all three have 函数 in a title
    ]
    assert ranked("+函数*", "stub.html", "words-apart.html") == ["words-apart.html", "stub.html"]
    assert ranked("-优势", "stub.html", "in-text.html") == ["stub.html", "in-text.html"]
