"""One-off migration (issue 12): YAML ``formulas:`` bindings → Python check modules.

    .venv/bin/python tools/convert_bindings.py VAULT CHECKS [--strip]

Reads every note's numeric bindings (and the ``symbols`` of ``check: none`` entries), turns
each expression string into a lambda of the scope view ``v`` (free names → ``v.name``;
``algo('m:f', …)`` → ``v.call(f, …)`` with ``f`` imported; a spec function → imported;
lambda parameters stay parameters), keeps the YAML comments as Python comments, and writes
one module per note under CHECKS (a sub-folder per note folder). ``--strip`` then removes
the numeric bindings from the notes, keeping ``check: none`` + ``reason``.
"""

from __future__ import annotations

import ast
import re
import sys
from collections import defaultdict
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rlref.vault import load_vault  # noqa: E402

NAMES = {  # note file stem → module name, where the stem has no usable ASCII
    "强化学习的数学原理": "rl_math",
    "策略梯度方法": "policy_gradient",
    "贝尔曼方程": "bellman",
    "马尔科夫": "markov",
    "MASPO-Mass-Adaptive-Soft-Policy-Optimization": "maspo",
    "Stable-Asynchrony-VCPO-Off-Policy-RL": "vcpo",
    "VESPO-Variational-Sequence-Policy-Optimization": "vespo",
    "QeRL-Quantization-Enhanced-RL": "qerl",
    "GEPA-Reflective-Prompt-Evolution": "gepa",
    "GRPO-Improvement-Panorama-2026": "grpo_panorama",
    "RL-Training-Stability-2026-Unified-Analysis": "rl_stability",
    "PPL 计算 交叉熵损失与 ignore_index": "ppl",
    "On-Policy vs Off-Policy": "on_off_policy",
    "RL 概览": "rl_overview",
    "RL & LLMs 入门": "rl_for_llms",
    "为什么 PPO 优于 PG": "ppo_vs_pg",
    "RLHF 全链路": "rlhf",
}
SPECS = {
    "finite_mdp": "rlref.formulas.specs.tabular",
    "stationary_distribution": "rlref.formulas.specs.markov_chain",
    "loss_gradient": "rlref.formulas.specs.gradients",
}


def module_path(key: str) -> Path:
    parts = key.split("/")
    stem = parts[-1]
    name = NAMES.get(stem) or "_".join(re.findall(r"[A-Za-z0-9]+", stem)).lower()
    folder = parts[3:-1] if parts[:3] == ["AI", "LLM", "RL"] else parts[:-1]
    return Path(*[f.lower().replace("-", "_") for f in folder], f"{name}.py")


def identifier(formula_id: str) -> str:
    return "check_" + re.sub(r"\W", "_", formula_id).strip("_")


# ---------------------------------------------------------------------------- comments
def comments(text: str) -> dict[tuple, list[str]]:
    """(formula id, section, key) → the YAML comments written on or above that entry."""
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return {}
    end = lines.index("---", 1)
    found: dict[tuple, list[str]] = defaultdict(list)
    inside = False
    fid = section = None
    pending: list[str] = []
    item = -1
    for line in lines[1:end]:
        if line.startswith("formulas:"):
            inside = True
            continue
        if not inside:
            continue
        if line and not line[0].isspace() and not line.startswith("#"):
            break
        body, comment = split_comment(line)
        indent = len(line) - len(line.lstrip())
        if not body.strip():
            if comment:
                pending.append(comment)
            continue
        key = body.strip().split(":", 1)[0].strip().strip("'\"")
        if indent == 2:
            fid, section, item = key, None, -1
            where: tuple = (fid, None, None)
        elif indent == 4:
            section, item = key, -1
            where = (fid, section, None)
        elif body.strip().startswith("- "):
            item += 1
            where = (fid, section, item)
        elif indent == 6:
            where = (fid, section, key)
        else:
            where = (fid, section, None)
        for text_ in [*pending, comment] if comment else pending:
            found[where].append(text_)
        pending = []
    return found


def split_comment(line: str) -> tuple[str, str | None]:
    quote = None
    for k, c in enumerate(line):
        if quote:
            if c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c == "#" and (k == 0 or line[k - 1].isspace()):
            return line[:k], line[k + 1:].strip()
    return line, None


# ---------------------------------------------------------------------------- expressions
class Module:
    """What a generated module imports."""

    def __init__(self) -> None:
        self.imports: dict[str, set[str]] = defaultdict(set)

    def use(self, module: str, name: str) -> str:
        self.imports[module].add(name)
        return name

    def function(self, reference: str) -> str:
        module, _, name = reference.partition(":")
        return self.use(module, name)


class ToView(ast.NodeTransformer):
    def __init__(self, params: set[str], module: Module) -> None:
        self.params = params
        self.module = module

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in self.params:
            return node
        if node.id in SPECS:
            self.module.use(SPECS[node.id], node.id)
            return node
        return ast.copy_location(ast.Attribute(ast.Name("v", ast.Load()), node.id, ast.Load()),
                                 node)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        first = node.args[0] if node.args else None
        reference = first.value if isinstance(first, ast.Constant) and isinstance(
            first.value, str) and ":" in first.value else None
        if name == "algo" and reference:
            function = ast.Name(self.module.function(reference), ast.Load())
            call = ast.Call(ast.Attribute(ast.Name("v", ast.Load()), "call", ast.Load()),
                            [function, *[self.visit(a) for a in node.args[1:]]],
                            [ast.keyword(k.arg, self.visit(k.value)) for k in node.keywords])
            return ast.copy_location(call, node)
        if name == "loss_gradient" and reference:
            self.module.use(SPECS[name], name)
            function = ast.Name(self.module.function(reference), ast.Load())
            call = ast.Call(ast.Name(name, ast.Load()),
                            [function, *[self.visit(a) for a in node.args[1:]]],
                            [ast.keyword(k.arg, self.visit(k.value)) for k in node.keywords])
            return ast.copy_location(call, node)
        return self.generic_visit(node)


def body(source: str, params: set[str], module: Module) -> str:
    tree = ast.parse(str(source).strip(), mode="eval")
    return ast.unparse(ToView(params, module).visit(tree.body))


def constant(source: object) -> str | None:
    """A literal stays a literal (no lambda)."""
    if isinstance(source, bool | int | float):
        return repr(source)
    try:
        tree = ast.parse(str(source).strip(), mode="eval").body
    except SyntaxError:
        return None
    if isinstance(tree, ast.Constant) or (
            isinstance(tree, ast.UnaryOp) and isinstance(tree.operand, ast.Constant)):
        return ast.unparse(tree)
    return None


def expr(source: object, module: Module) -> str:
    literal = constant(source)
    if literal is not None:
        return literal
    return f"lambda v: {body(str(source), set(), module)}"


def function_text(source: str, module: Module, kind: str, declaration: bool) -> str:
    head, arrow, rest = source.partition("->")
    params = [p.strip() for p in head.replace("|", ",").split(",")]
    bar = "|" in head
    if declaration or not arrow:
        spec = head.strip()
        return f"{kind}({spec!r})"
    text = f"lambda v, {', '.join(params)}: {body(rest, set(params), module)}"
    return f"{kind}({text}{', bar=True' if bar else ''})"


def symbol(value: object, axes: dict, module: Module, declaration: bool) -> str:
    if value is None:
        return "None"
    if isinstance(value, dict):
        if "fn" in value:
            module.use("rlref.formulas.api", "fn")
            return function_text(value["fn"], module, "fn", declaration)
        if "indexed" in value:
            module.use("rlref.formulas.api", "indexed")
            return function_text(value["indexed"], module, "indexed", declaration)
        if "builtin" in value:
            module.use("rlref.formulas.api", "builtin")
            return f"builtin({value['builtin']!r})"
        module.use("rlref.formulas.api", "reduction")
        (operation,) = [k for k in value if k not in ("where", "weights", "ddof")]
        over = value[operation]
        over = [over] if isinstance(over, str) else list(over)
        parts = [repr(operation), *map(repr, over)]
        for extra in ("where", "weights"):
            if value.get(extra) is not None:
                parts.append(f"{extra}={expr(value[extra], module)}")
        if value.get("ddof") is not None:
            parts.append(f"ddof={value['ddof']}")
        return f"reduction({', '.join(parts)})"
    if isinstance(value, str) and value.strip() in axes:
        module.use("rlref.formulas.api", "index")
        return f"index({value.strip()!r})"
    return expr(value, module)


def relation(source: str, module: Module) -> str:
    tree = ast.parse(source.strip(), mode="eval").body
    assert isinstance(tree, ast.Compare) and len(tree.ops) == 1, source
    op = {ast.Eq: "==", ast.LtE: "<=", ast.GtE: ">=", ast.Lt: "<", ast.Gt: ">"}[
        type(tree.ops[0])]
    left = ast.unparse(ToView(set(), module).visit(tree.left))
    right = ast.unparse(ToView(set(), module).visit(tree.comparators[0]))
    return f"lambda v: ({left}, {op!r}, {right})"


def key_text(key: str) -> str:
    if "\\" in key and '"' not in key:
        return f'r"{key}"'
    return repr(key)


def block(entries: list[tuple[str, str, list[str]]], indent: int) -> str:
    """A dict literal, one entry a line with its comments above it."""
    pad = " " * indent
    lines = ["{"]
    commented = any(notes for _, _, notes in entries)
    for k, (key, value, notes) in enumerate(entries):
        lines += [f"{pad}    # {c}" for c in notes]
        last = k == len(entries) - 1
        lines.append(f"{pad}    {key}: {value}{',' if commented or not last else ''}")
    lines.append(pad + "}")
    return "\n".join(lines)


def convert(note_key: str, fid: str, raw: dict, notes: dict, module: Module) -> str:
    def c(section: str | None, key: object = None) -> list[str]:
        return notes.get((fid, section, key), [])

    module.use("rlref.formulas.api", "Check")
    module.use("rlref.formulas.api", "formula_check")
    axes = raw.get("axes", {})
    out = [f"@formula_check({note_key!r}, {fid!r})", f"def {identifier(fid)}() -> Check:"]
    out += [f"    # {x}" for x in c(None)]
    out.append("    return Check(")
    fields: list[str] = []
    if raw.get("impl"):
        fields += [f"        # {x}" for x in c("impl")]
        fields.append(f"        impl={module.function(raw['impl'])},")
    for section in ("dims", "axes", "inputs"):
        if raw.get(section):
            entries = [(repr(k), expr(s, module), c(section, k))
                       for k, s in raw[section].items()]
            fields += [f"        # {x}" for x in c(section)]
            fields.append(f"        {section}={block(entries, 8)},")
    if raw.get("symbols"):
        entries = [(key_text(k), symbol(s, axes, module, False), c("symbols", k))
                   for k, s in raw["symbols"].items()]
        fields += [f"        # {x}" for x in c("symbols")]
        fields.append(f"        symbols={block(entries, 8)},")
    args = raw.get("args")
    if args:
        fields += [f"        # {x}" for x in c("args")]
        if isinstance(args, list):
            fields.append("        args=[" + ", ".join(expr(a, module) for a in args) + "],")
        else:
            entries = [(repr(k), expr(a, module), c("args", k)) for k, a in args.items()]
            fields.append(f"        args={block(entries, 8)},")
    if raw.get("relation"):
        fields += [f"        # {x}" for x in c("relation")]
        fields.append(f"        relation={relation(raw['relation'], module)},")
    if raw.get("cover"):
        fields += [f"        # {x}" for x in c("cover")]
        items = []
        for k, case in enumerate(raw["cover"]):
            items += [f"            # {x}" for x in c("cover", k)]
            items.append(f"            {expr(case, module)},")
        fields.append("        cover=[\n" + "\n".join(items) + "\n        ],")
    for name in ("seeds", "rtol", "atol", "exact"):
        if name in raw:
            fields += [f"        # {x}" for x in c(name)]
            value = float(raw[name]) if name in ("rtol", "atol") else raw[name]
            fields.append(f"        {name}={value!r},")
    return "\n".join(out + fields + ["    )"])


def convert_symbols(note_key: str, fid: str, raw: dict, notes: dict, module: Module) -> str:
    module.use("rlref.formulas.api", "Symbols")
    module.use("rlref.formulas.api", "formula_symbols")
    axes = raw.get("axes", {})
    entries = [(key_text(k), symbol(s, axes, module, True), notes.get((fid, "symbols", k), []))
               for k, s in raw["symbols"].items()]
    tail = f", axes={axes!r}" if axes else ""
    return "\n".join([
        f"@formula_symbols({note_key!r}, {fid!r})",
        f"def symbols_{identifier(fid)[6:]}() -> Symbols:",
        "    # check: none in the note; the kinds let the symbolic identities parse it",
        f"    return Symbols({block(entries, 4)}{tail})",
    ])


def render(note_key: str, title: str, parts: list[str], module: Module) -> str:
    lines = [f'"""Checks of the formulas of {title}.', "", f"Note: [[{note_key}]]", '"""', "",
             "from __future__ import annotations", ""]
    for name in sorted(module.imports):
        lines.append(f"from {name} import {', '.join(sorted(module.imports[name]))}")
    lines += ["", ""]
    return "\n".join(lines) + "\n\n\n".join(parts) + "\n"


def strip(path: Path) -> None:
    """Remove numeric bindings (and the symbols of unchecked ones) from the frontmatter,
    keeping the lines of check: none + reason as written."""
    lines = path.read_text(encoding="utf-8").split("\n")
    end = lines.index("---", 1)
    start = next((k for k in range(1, end) if lines[k].startswith("formulas:")), None)
    if start is None:
        return
    stop = start + 1
    while stop < end and (not lines[stop].strip() or lines[stop][0].isspace()):
        stop += 1
    groups: list[list[str]] = []
    for line in lines[start + 1:stop]:
        indent = len(line) - len(line.lstrip())
        if line.strip() and indent == 2 and not line.strip().startswith("#"):
            groups.append([line])
        elif groups:
            groups[-1].append(line)
    kept: list[str] = []
    for group in groups:
        if not any(line.strip() == "check: none" for line in group):
            continue
        skipping = False
        for line in group:
            indent = len(line) - len(line.lstrip())
            if indent == 4 and line.strip():
                skipping = line.strip().split(":")[0] in ("symbols", "axes")
            if not skipping and line.strip():
                kept.append(line)
    lines[start:stop] = (["formulas:", *kept] if kept else [])
    path.write_text("\n".join(lines), encoding="utf-8")


def main(vault: Path, checks: Path, do_strip: bool) -> None:
    loaded = load_vault(vault)
    by_module: dict[Path, list[tuple[str, str, list[str], Module]]] = {}
    for key, note in sorted(loaded.notes.items()):
        bindings = note.raw_frontmatter.get("formulas") or {}
        if not bindings:
            continue
        notes = comments((vault / note.path).read_text(encoding="utf-8"))
        module = Module()
        parts = []
        for fid, raw in bindings.items():
            if "check" not in raw:
                parts.append(convert(key, fid, raw, notes, module))
            elif raw.get("symbols"):
                parts.append(convert_symbols(key, fid, raw, notes, module))
        if parts:
            path = checks / module_path(key)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render(key, note.title, parts, module), encoding="utf-8")
            print(f"{path}: {len(parts)} check(s)")
        if do_strip:
            strip(vault / note.path)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), "--strip" in sys.argv)
