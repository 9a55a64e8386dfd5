"""Block rules that read runs of plain top-level paragraphs (and, for the vault's items only,
tight bullet lists of one plain line per item) without markdown-it's block rules.

For each paragraph line markdown-it tries every block rule in turn (table, code, math, fence,
quote, rule, list, reference, HTML, heading, setext heading), then the paragraph rule asks
eight of them again whether the next line interrupts it: most of the block parse of a note
of prose. This rule runs first and takes over where the answer is known from each line's
first characters.

A *plain* line starts with characters that start no block construct: not a space or tab
(code, indentation), ``#`` (heading), ``>`` (quote), ``-`` ``+`` ``_`` ``=`` (list, rule,
setext underline), ``*`` unless it opens ``**bold`` (a list marker or a rule needs a space or
a third star), three backticks or ``~`` (fence), ``<`` (HTML), ``$$`` (math block), ``|``
or ``:`` (table delimiter row), a lone ``[`` (reference definition; ``[[`` cannot be one),
or digits followed by ``.`` or ``)`` (ordered list). A paragraph of plain lines
followed by a blank line or the end of the text is exactly what markdown-it's paragraph rule
makes of it, since no rule can claim or interrupt such lines. The rule only acts at the top
level (in lists and quotes the indentation rules differ), reads every consecutive such
paragraph in one call, and leaves a paragraph that ends at any other line to markdown-it.
``tests/vault/test_plain_paragraphs.py`` holds the token stream equal to markdown-it's.

Reading a note for its items only (``rlref check``; the site keeps the real tokens), the
parse sets ``env[COMPACT]``: a run of paragraphs is then one ``plain_paragraphs`` token whose
``meta["paragraphs"]`` holds each paragraph's (first line, content), instead of three tokens
per paragraph that nothing reads (a fifth of the time of a large note); ``meta["source"]``,
``["span"]`` and ``["first"]`` give the run's text (start and end offset) and first line.
The same test holds the items read either way equal.

Only then, ``plain_list_items`` also reads a run of bullet items of one plain line each
(``- text``, one space after the marker) at the top level, ended by a blank line or the end
of the text and not followed by an indented line (which could continue the last item), as
such a run with ``meta["in_list"]``: markdown-it's list rule is a third of the parse of a
note written in lists.
"""

from __future__ import annotations

import re

from markdown_it.common.utils import mdTrim
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token

# What may start a block construct at a line's first character (see the module docstring).
_BLOCK_START = r"[ \t#>\-+_=~<|:]|\*(?!\*[^\s*])|\$\$|```|\[(?!\[)|[0-9]+[.)]"
# A paragraph of plain lines, matched in C from its first character to the end of its last
# line (the line after it is blank, not plain, or missing). Its first line holds more than
# white space: markdown-it trims a first line of only Unicode spaces (U+00A0, U+3000) off the
# paragraph's content, which moves the content's first line, and the lines of the items read
# from the run's text (tags, block ids) would then differ from those read from the content.
_PLAIN_LINES = re.compile(rf"(?!{_BLOCK_START})(?=[^\n]*\S)[^\n]+(?:\n(?!{_BLOCK_START})[^\n]+)*")

COMPACT = "rlref_compact"  # env key: push each run as one ``plain_paragraphs`` token
RUN = "plain_paragraphs"  # that token's type

# A run of bullet items of one plain line each: the marker, one space, a plain start.
_PLAIN_ITEMS = re.compile(
    rf"[-+*] (?!{_BLOCK_START})(?=[^\n]*\S)[^\n]*"
    rf"(?:\n[-+*] (?!{_BLOCK_START})(?=[^\n]*\S)[^\n]*)*"
)


def plain_paragraphs(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Push the paragraphs of plain lines from ``start_line`` on; ``False`` if there is none."""
    if silent or state.parentType != "root" or state.blkIndent or end_line != state.lineMax:
        return False  # (``silent``: asked whether a paragraph interrupts a block; it never does)
    src, begins, ends, shifts = state.src, state.bMarks, state.eMarks, state.tShift
    tokens = state.tokens
    plain_lines = _PLAIN_LINES.match
    count = src.count
    line = start_line  # known non-blank, as is the first line of each later paragraph
    pushed = False
    compact = state.env.get(COMPACT) is True
    run: list[tuple[int, str]] = []  # (first line, content) of each paragraph, when compact
    span = [0, 0]  # the run's start and end offsets in ``src``, when compact
    while True:
        begin = begins[line]
        paragraph = plain_lines(src, begin)
        if paragraph is None:
            return pushed  # markdown-it reads the block that starts here
        end = paragraph.end()
        first, line = line, line + 1 + count("\n", begin, end)
        if line < end_line and begins[line] + shifts[line] < ends[line]:
            return pushed  # the next line is not blank: markdown-it reads this paragraph
        content = mdTrim(src[begin:end])
        level = state.level
        if compact:
            if not pushed:
                span[0] = begin
                meta = {"paragraphs": run, "source": src, "span": span, "first": first}
                tokens.append(Token(RUN, "", 0, {}, None, level, None, "", "", "", meta, True))
            run.append((first, content))
            span[1] = end
        else:
            # The three tokens markdown-it's paragraph rule pushes (``state.push`` and setting
            # fields one by one cost a fifth of this rule).
            # Token(type, tag, nesting, attrs, map, level, children, content, markup, info,
            # meta, block)
            opening = Token("paragraph_open", "p", 1, {}, [first, line], level, None, "", "", "")
            opening.block = True
            tokens.append(opening)
            tokens.append(
                Token("inline", "", 0, {}, [first, line], level + 1, [], content, "", "", {}, True)
            )
            tokens.append(
                Token("paragraph_close", "p", -1, {}, None, level, None, "", "", "", {}, True)
            )
        state.line = line
        pushed = True
        while line < end_line and begins[line] + shifts[line] >= ends[line]:
            line += 1  # blank lines between paragraphs
        if line >= end_line:
            return True


def plain_list_items(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Read a run of plain one-line bullet items from ``start_line`` as one compact run (only
    when ``env[COMPACT]``); ``False`` where markdown-it's list rule must read the list."""
    if silent or state.parentType != "root" or state.blkIndent or end_line != state.lineMax:
        return False
    if state.env.get(COMPACT) is not True:
        return False
    src, begins, ends, shifts = state.src, state.bMarks, state.eMarks, state.tShift
    begin = begins[start_line]
    items = _PLAIN_ITEMS.match(src, begin)
    if items is None:
        return False
    end = items.end()
    line = start_line + 1 + src.count("\n", begin, end)
    if line < end_line and begins[line] + shifts[line] < ends[line]:
        return False  # the next line is not blank: it may continue the last item
    after = line
    while after < end_line and begins[after] + shifts[after] >= ends[after]:
        after += 1  # blank lines after the run
    if after < end_line and (shifts[after] or src[begins[after]] in " \t"):
        return False  # an indented line after blank lines may belong to the last item
    run = [
        (start_line + offset, mdTrim(text[2:]))
        for offset, text in enumerate(src[begin:end].split("\n"))
    ]
    meta = {
        "paragraphs": run,
        "source": src,
        "span": [begin, end],
        "first": start_line,
        "in_list": True,
    }
    state.tokens.append(Token(RUN, "", 0, {}, None, state.level, None, "", "", "", meta, True))
    state.line = line
    return True
