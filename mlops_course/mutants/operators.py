"""Mutation operators: each models a mistake a learner makes, applied to the code of one answer cell.

The code is parsed with libcst, a concrete syntax tree that keeps every space, comment and line break, so
a mutant differs from the author's code in exactly one place and its diff reads like that code. Only nodes
that lie wholly between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` are mutated: the lines around them
(a function's signature, its docstring) are given to the learner and cannot be wrong.

Each operator is a method of :class:`_Collector` named after the node it visits; it proposes replacements
for that node with :meth:`_Collector.add`. Mutants come out in source order, then in the order of
``OPERATORS``, so their numbering is the same on every run.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import ExpressionContext, ExpressionContextProvider, MetadataWrapper, PositionProvider

# Operator names, in the order their mutants of one node are listed.
OPERATORS = (
    "comparison",  # < <= > >= == != in is: flipped or relaxed
    "number",  # a number +1, -1, *2
    "boolean",  # True <-> False
    "string",  # a column name or key swapped for another of the same cell
    "keyword",  # a keyword argument flipped (axis, keep, side, ...) or dropped
    "arguments",  # two neighbouring positional arguments swapped
    "arithmetic",  # + - * / exchanged
    "logical",  # and <-> or, & <-> |
    "negation",  # not, ~ or unary minus dropped
    "copy",  # .copy() / deepcopy() dropped
    "return",  # the returned value replaced by None or by the first argument
    "extremum",  # min <-> max, idxmin <-> idxmax, nsmallest <-> nlargest, head <-> tail
    "any_all",  # any <-> all
    "aggregate",  # mean <-> median, sum <-> mean, count -> sum, std <-> var, isna <-> notna
    "sort",  # a sort reversed or dropped
    "call",  # a step dropped: dropna(), fillna(), abs(), round(), astype(), np.asarray(), to_numpy(), ...
    "slice",  # a slice bound, an iloc position or a range end moved by one
    "parameter",  # an argument ignored: its use replaced by the parameter's default
)

_SOLUTION = re.compile(r"^\s*###\s*BEGIN SOLUTION\s*$")
_END = re.compile(r"^\s*###\s*END SOLUTION\s*$")

_COMPARISONS = {
    cst.LessThan: (cst.LessThanEqual, cst.GreaterThan),
    cst.LessThanEqual: (cst.LessThan, cst.GreaterThanEqual),
    cst.GreaterThan: (cst.GreaterThanEqual, cst.LessThan),
    cst.GreaterThanEqual: (cst.GreaterThan, cst.LessThanEqual),
    cst.Equal: (cst.NotEqual,),
    cst.NotEqual: (cst.Equal,),
}
_ARITHMETIC = {
    cst.Add: (cst.Subtract, cst.Multiply),
    cst.Subtract: (cst.Add,),
    cst.Multiply: (cst.Divide, cst.Add),
    cst.Divide: (cst.Multiply,),
    cst.FloorDivide: (cst.Divide,),
    cst.Power: (cst.Multiply,),
    cst.AddAssign: (cst.SubtractAssign,),
    cst.SubtractAssign: (cst.AddAssign,),
    cst.MultiplyAssign: (cst.DivideAssign,),
    cst.DivideAssign: (cst.MultiplyAssign,),
}
_SWAPPED_NAMES = {
    "extremum": {"min": "max", "max": "min", "idxmin": "idxmax", "idxmax": "idxmin", "argmin": "argmax",
                 "argmax": "argmin", "nsmallest": "nlargest", "nlargest": "nsmallest", "minimum": "maximum",
                 "maximum": "minimum", "head": "tail", "tail": "head", "nanmin": "nanmax", "nanmax": "nanmin"},
    "any_all": {"any": "all", "all": "any"},
    "aggregate": {"mean": "median", "median": "mean", "sum": "mean", "count": "sum", "std": "var", "var": "std",
                  "nunique": "count", "size": "count", "isna": "notna", "notna": "isna", "isnull": "notnull",
                  "notnull": "isnull", "cumsum": "sum", "nanmean": "nanmedian", "floor": "ceil", "ceil": "floor"},
}
# Keyword arguments whose value a learner gets wrong or leaves out; dropping them keeps the library default.
_DROPPED_KEYWORDS = frozenset({
    "ascending", "axis", "include_lowest", "right", "ddof", "inplace", "normalize", "dropna", "keep", "side",
    "how", "minlength", "skipna", "reverse", "observed", "sort", "as_index", "bins", "q", "labels", "closed",
    "min_periods", "fill_value", "equal_var", "alternative", "method", "n_bins", "epsilon", "alpha", "weights",
    "sample_weight", "pos_label", "threshold", "margins", "key", "dtype", "errors", "ignore_index",
})
# Dropping these values is no change: they are the default wherever the keyword exists.
_DEFAULT_VALUES = {("ascending", "True"), ("inplace", "False"), ("side", '"left"'), ("side", "'left'"),
                   ("normalize", "False"), ("skipna", "True"), ("include_lowest", "False"), ("reverse", "False"),
                   ("keep", '"first"'), ("keep", "'first'"), ("ignore_index", "False")}
# String options and what a slip turns them into.
_OPTION_FLIPS = {"left": ("right",), "right": ("left",), "first": ("last",), "last": ("first",),
                 "index": ("columns",), "columns": ("index",), "inner": ("outer", "left"), "outer": ("inner",),
                 "two-sided": ("greater",), "greater": ("two-sided",), "less": ("two-sided",)}
_OPTION_KEYWORDS = frozenset({"side", "keep", "how", "axis", "closed", "alternative", "orient", "validate"})
# Calls whose positional string arguments are column names or keys.
_KEY_METHODS = frozenset({"groupby", "sort_values", "drop", "pivot", "pivot_table", "set_index", "get", "pop",
                          "merge", "value_counts", "nlargest", "nsmallest", "rename", "melt", "agg", "reindex",
                          "isin", "eq", "ne", "setdefault", "fillna", "filter", "select_dtypes"})
_KEY_KEYWORDS = frozenset({"by", "columns", "on", "subset", "index", "values", "left_on", "right_on", "name",
                           "level", "id_vars", "value_vars", "var_name", "value_name", "sensitive_features",
                           "x", "y", "hue", "group", "column", "feature", "label", "target"})
_DROPPED_CALLS = frozenset({"dropna", "fillna", "drop_duplicates", "abs", "round", "astype", "clip", "sort_values",
                            "sort_index", "reset_index", "unique", "cumsum", "diff", "shift"})
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_ .%-]*$")


@dataclass(frozen=True)
class Mutant:
    """One mutant of one answer cell."""

    id: str  # "<question>#<n>", n counted in source order: the same on every run of the same notebook
    question: str  # grade_id of the answer cell
    operator: str
    line: int  # first line of the change, 1-based within the cell
    source: str  # the whole mutated cell
    diff: str  # unified diff against the original cell
    key: str  # stable identity: question, operator and the changed lines (not their line numbers)


def solution_lines(source: str) -> list[tuple[int, int]]:
    """1-based line ranges strictly inside each ``### BEGIN SOLUTION`` / ``### END SOLUTION`` pair."""
    ranges, start = [], None
    for number, text in enumerate(source.splitlines(), 1):
        if _SOLUTION.match(text):
            start = number
        elif _END.match(text) and start is not None:
            ranges.append((start + 1, number - 1))
            start = None
    return ranges


def mutant_key(question: str, operator: str, diff: str) -> str:
    """A short hash of what a mutant changes, independent of where in the cell that is."""
    changed = [line[0] + line[1:].strip() for line in diff.splitlines()
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    digest = hashlib.sha1("\n".join([question, operator, *changed]).encode()).hexdigest()
    return digest[:12]


def _op(kind, template):
    """A new operator node of ``kind`` with the spacing of ``template``."""
    if kind in (cst.NotIn, cst.IsNot):
        return kind(whitespace_before=template.whitespace_before, whitespace_after=template.whitespace_after)
    return kind(whitespace_before=template.whitespace_before, whitespace_after=template.whitespace_after)


def _name_of(func: cst.BaseExpression) -> str | None:
    """The called name: ``min`` for ``min(...)``, ``mean`` for ``x.mean(...)``."""
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return None


def _plus(expr: cst.BaseExpression, amount: int) -> cst.BaseExpression:
    """``expr + 1`` or ``expr - 1``."""
    op = cst.Add() if amount > 0 else cst.Subtract()
    return cst.BinaryOperation(left=expr, operator=op, right=cst.Integer(str(abs(amount))))


def _number(value) -> cst.BaseExpression:
    """A number literal; negative ones as unary minus, as Python itself parses them."""
    text = repr(value)
    if value < 0:
        inner = cst.Float(text[1:]) if isinstance(value, float) else cst.Integer(text[1:])
        return cst.UnaryOperation(operator=cst.Minus(), expression=inner)
    return cst.Float(text) if isinstance(value, float) else cst.Integer(text)


def _without_arg(call: cst.Call, index: int) -> cst.Call:
    """``call`` with its argument ``index`` removed (a trailing comma moves to the new last argument)."""
    args = list(call.args)
    removed = args.pop(index)
    if index == len(args) and args:  # removed the last one: the new last one keeps the old one's comma
        args[-1] = args[-1].with_changes(comma=removed.comma)
    return call.with_changes(args=args)


class _Collector(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (PositionProvider, ExpressionContextProvider)

    def __init__(self, ranges, key_strings):
        super().__init__()
        self.ranges = ranges
        self.key_strings = key_strings  # column names and keys of the cell, in order of first use
        self.found: list[tuple[int, int, int, str, cst.CSTNode, cst.CSTNode]] = []
        self.functions: list[cst.FunctionDef] = []
        self.key_nodes: set[int] = set()  # ids of strings that stand in a key position

    def _inside(self, node) -> bool:
        pos = self.get_metadata(PositionProvider, node)
        return any(lo <= pos.start.line and pos.end.line <= hi for lo, hi in self.ranges)

    def add(self, operator: str, node: cst.CSTNode, replacement: cst.CSTNode, anchor: cst.CSTNode | None = None):
        anchor = anchor or node
        if not self._inside(anchor):
            return
        pos = self.get_metadata(PositionProvider, anchor).start
        self.found.append((pos.line, pos.column, OPERATORS.index(operator), operator, node, replacement))

    # -- scopes
    def visit_FunctionDef(self, node):
        self.functions.append(node)

    def leave_FunctionDef(self, node):
        self.functions.pop()

    # -- comparison
    def visit_ComparisonTarget(self, node):
        op = node.operator
        if type(op) in _COMPARISONS:
            for kind in _COMPARISONS[type(op)]:
                self.add("comparison", op, _op(kind, op), anchor=node)
        elif isinstance(op, (cst.In, cst.Is)):
            kind = cst.NotIn if isinstance(op, cst.In) else cst.IsNot
            self.add("comparison", op, kind(whitespace_before=op.whitespace_before,
                                            whitespace_after=op.whitespace_after), anchor=node)
        elif isinstance(op, (cst.NotIn, cst.IsNot)):
            kind = cst.In if isinstance(op, cst.NotIn) else cst.Is
            self.add("comparison", op, kind(whitespace_before=op.whitespace_before,
                                            whitespace_after=op.whitespace_after), anchor=node)

    # -- number
    def _numbers(self, node, value):
        seen = {value}
        for new in (value + 1, value - 1, value * 2):
            if new not in seen:
                seen.add(new)
                self.add("number", node, _number(new))

    def visit_Integer(self, node):
        self._numbers(node, int(node.value.replace("_", ""), 0))

    def visit_Float(self, node):
        self._numbers(node, float(node.value.replace("_", "")))

    # -- boolean, and an argument ignored
    def visit_Name(self, node):
        if node.value in ("True", "False"):
            self.add("boolean", node, node.with_changes(value="False" if node.value == "True" else "True"))
        defaults = self._defaults()
        if node.value in defaults and self.get_metadata(ExpressionContextProvider, node, None) == ExpressionContext.LOAD:
            self.add("parameter", node, defaults[node.value].deep_clone())

    def _defaults(self) -> dict[str, cst.BaseExpression]:
        """{parameter: default} of the innermost function being visited."""
        if not self.functions:
            return {}
        params = self.functions[-1].params
        return {p.name.value: p.default for p in [*params.params, *params.kwonly_params] if p.default is not None}

    # -- string: a column name or key swapped for the next one of the cell
    def visit_SubscriptElement(self, node):
        value = node.slice.value if isinstance(node.slice, cst.Index) else None
        for item in ([value] if isinstance(value, cst.SimpleString) else
                     [e.value for e in getattr(value, "elements", ())]):
            self.key_nodes.add(id(item))

    def visit_DictElement(self, node):
        self.key_nodes.add(id(node.key))

    def visit_Arg(self, node):
        if node.keyword is not None and node.keyword.value in _KEY_KEYWORDS:
            values = [node.value, *(e.value for e in getattr(node.value, "elements", ()))]
            self.key_nodes.update(id(v) for v in values)

    def visit_SimpleString(self, node):
        if id(node) not in self.key_nodes or len(self.key_strings) < 2:
            return
        text = node.evaluated_value
        if text in self.key_strings:
            new = self.key_strings[(self.key_strings.index(text) + 1) % len(self.key_strings)]
            quote = node.prefix + node.quote
            self.add("string", node, node.with_changes(value=quote + new + node.quote))

    # -- calls: keywords, arguments, copies, names, sorts, dropped steps, ranges
    def visit_Call(self, node):
        name = _name_of(node.func)
        self._keywords(node)
        self._arguments(node)
        if name in _KEY_METHODS:
            for arg in node.args:
                if arg.keyword is None:
                    self.key_nodes.update(id(v) for v in [arg.value, *(e.value for e in getattr(arg.value, "elements", ()))])
        if name == "copy" and isinstance(node.func, cst.Attribute) and all(a.keyword for a in node.args):
            self.add("copy", node, node.func.value)
        if name == "deepcopy" and len(node.args) == 1:
            self.add("copy", node, node.args[0].value)
        for operator, table in _SWAPPED_NAMES.items():
            # builtins: only min/max and any/all have a twin; mean or median of a builtin sum is no mistake
            if name in table and (isinstance(node.func, cst.Attribute) or operator != "aggregate"):
                func = (node.func.with_changes(value=table[name]) if isinstance(node.func, cst.Name)
                        else node.func.with_changes(attr=node.func.attr.with_changes(value=table[name])))
                self.add(operator, node, node.with_changes(func=func))
        self._sort(node, name)
        if name in _DROPPED_CALLS and isinstance(node.func, cst.Attribute) and name not in ("sort_values", "sort_index"):
            self.add("call", node, node.func.value)
        if name in ("round", "abs") and isinstance(node.func, cst.Name) and node.args:
            self.add("call", node, node.args[0].value)
        # positions instead of index labels: without np.asarray or to_numpy, pandas aligns on the index
        if (name in ("asarray", "array") and isinstance(node.func, cst.Attribute) and node.args
                and node.args[0].keyword is None and isinstance(node.func.value, cst.Name)
                and node.func.value.value in ("np", "numpy")):
            self.add("call", node, node.args[0].value)
        if name == "to_numpy" and isinstance(node.func, cst.Attribute) and not node.args:
            self.add("call", node, node.func.value)
        if name == "range" and node.args and node.args[-1].keyword is None and len(node.args) <= 2:
            stop = node.args[-1 if len(node.args) == 2 else 0]
            if not isinstance(stop.value, cst.Integer):
                index = node.args.index(stop)
                for amount in (1, -1):
                    args = list(node.args)
                    args[index] = stop.with_changes(value=_plus(stop.value, amount))
                    self.add("slice", node, node.with_changes(args=args))

    def _keywords(self, node):
        for index, arg in enumerate(node.args):
            if arg.keyword is None:
                continue
            word, value = arg.keyword.value, arg.value
            code = cst.Module([]).code_for_node(value)
            if word in _OPTION_KEYWORDS and isinstance(value, cst.SimpleString):
                for new in _OPTION_FLIPS.get(value.evaluated_value, ()):
                    flipped = value.with_changes(value=value.prefix + value.quote + new + value.quote)
                    self.add("keyword", value, flipped, anchor=arg)
            if word == "axis" and isinstance(value, cst.Integer) and value.value in ("0", "1"):
                self.add("keyword", value, value.with_changes(value="1" if value.value == "0" else "0"), anchor=arg)
            if word in _DROPPED_KEYWORDS and (word, code) not in _DEFAULT_VALUES:
                self.add("keyword", node, _without_arg(node, index), anchor=arg)

    def _arguments(self, node):
        positional = [i for i, a in enumerate(node.args) if a.keyword is None and not a.star]
        for first, second in zip(positional, positional[1:]):
            if second != first + 1:
                continue
            a, b = node.args[first], node.args[second]
            if cst.Module([]).code_for_node(a.value) == cst.Module([]).code_for_node(b.value):
                continue
            args = list(node.args)
            args[first], args[second] = a.with_changes(value=b.value), b.with_changes(value=a.value)
            self.add("arguments", node, node.with_changes(args=args), anchor=a)

    def _sort(self, node, name):
        words = {a.keyword.value for a in node.args if a.keyword}
        if name == "sorted" and isinstance(node.func, cst.Name) and "reverse" not in words:
            extra = cst.Arg(keyword=cst.Name("reverse"), value=cst.Name("True"),
                            equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                                  whitespace_after=cst.SimpleWhitespace("")))
            self.add("sort", node, node.with_changes(args=[*_with_comma(node.args), extra]))
        if name in ("sort_values", "sort_index") and isinstance(node.func, cst.Attribute):
            if "ascending" not in words:
                extra = cst.Arg(keyword=cst.Name("ascending"), value=cst.Name("False"),
                                equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                                      whitespace_after=cst.SimpleWhitespace("")))
                self.add("sort", node, node.with_changes(args=[*_with_comma(node.args), extra]))
            self.add("sort", node, node.func.value)
        if name == "sorted" and isinstance(node.func, cst.Name) and len(node.args) == 1:
            self.add("sort", node, node.with_changes(func=cst.Name("list")))

    # -- arithmetic and logic
    def visit_BinaryOperation(self, node):
        op = node.operator
        for kind in _ARITHMETIC.get(type(op), ()):
            self.add("arithmetic", op, _op(kind, op), anchor=node)
        if isinstance(op, (cst.BitAnd, cst.BitOr)):
            kind = cst.BitOr if isinstance(op, cst.BitAnd) else cst.BitAnd
            self.add("logical", op, _op(kind, op), anchor=node)

    def visit_AugAssign(self, node):
        op = node.operator
        for kind in _ARITHMETIC.get(type(op), ()):
            self.add("arithmetic", op, _op(kind, op), anchor=node)

    def visit_BooleanOperation(self, node):
        op = node.operator
        kind = cst.Or if isinstance(op, cst.And) else cst.And
        self.add("logical", op, _op(kind, op), anchor=node)

    def visit_UnaryOperation(self, node):
        if isinstance(node.operator, (cst.Not, cst.BitInvert)):
            self.add("negation", node, node.expression)
        elif isinstance(node.operator, cst.Minus) and not isinstance(node.expression, (cst.Integer, cst.Float)):
            self.add("negation", node, node.expression)

    # -- return
    def visit_Return(self, node):
        if node.value is None:
            return
        code = cst.Module([]).code_for_node(node.value)
        if code != "None":
            self.add("return", node, node.with_changes(value=cst.Name("None")))
        params = self.functions[-1].params.params if self.functions else ()
        if params and params[0].name.value != code:
            self.add("return", node, node.with_changes(value=cst.Name(params[0].name.value)))

    # -- slices and positions
    def visit_Subscript(self, node):
        target = node.value
        positional = isinstance(target, cst.Attribute) and target.attr.value in ("iloc", "iat")
        for element in node.slice:
            part = element.slice
            if isinstance(part, cst.Slice):
                for field in ("lower", "upper"):
                    bound = getattr(part, field)
                    if bound is not None and not isinstance(bound, (cst.Integer, cst.UnaryOperation)):
                        for amount in (1, -1):
                            moved = part.with_changes(**{field: _plus(bound, amount)})
                            self.add("slice", part, moved, anchor=element)
            elif positional and isinstance(part, cst.Index) and isinstance(part.value, cst.Name):
                for amount in (1, -1):
                    self.add("slice", part, part.with_changes(value=_plus(part.value, amount)), anchor=element)


def _with_comma(args):
    """``args`` ready for one more argument after them."""
    args = list(args)
    if args and args[-1].comma is cst.MaybeSentinel.DEFAULT:
        args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    return args


class _Replace(cst.CSTTransformer):
    def __init__(self, target, replacement):
        super().__init__()
        self.target, self.replacement = target, replacement

    def on_leave(self, original_node, updated_node):
        return self.replacement if original_node is self.target else updated_node


def _key_strings(module: cst.Module, ranges) -> list[str]:
    """Identifier-like string literals of the solution lines, in order of first appearance."""
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    found: list[str] = []

    class Strings(cst.CSTVisitor):
        def visit_SimpleString(self, node):
            pos = positions[node]
            text = node.evaluated_value
            if (any(lo <= pos.start.line and pos.end.line <= hi for lo, hi in ranges)
                    and isinstance(text, str) and _IDENTIFIER.match(text) and text not in found):
                found.append(text)

    module.visit(Strings())
    return found


def mutants_of(question: str, source: str) -> list[Mutant]:
    """Every mutant of an answer cell's solution code, in source order; invalid Python is left out."""
    ranges = solution_lines(source)
    if not ranges:
        return []
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError:
        return []  # a cell with IPython magics: nothing to mutate
    wrapper = MetadataWrapper(module)
    collector = _Collector(ranges, _key_strings(wrapper.module, ranges))
    wrapper.visit(collector)
    mutants, seen = [], {source}
    original = source.splitlines(keepends=True)
    for line, _column, _order, operator, node, replacement in sorted(collector.found, key=lambda f: f[:3]):
        code = wrapper.module.visit(_Replace(node, replacement)).code
        if code in seen:
            continue  # the same change reached by two operators, or no change at all
        try:
            compile(code, question, "exec")
        except SyntaxError:
            continue
        seen.add(code)
        diff = "".join(difflib.unified_diff(original, code.splitlines(keepends=True), question, "mutant", n=1))
        mutants.append(Mutant(f"{question}#{len(mutants) + 1}", question, operator, line, code, diff,
                              mutant_key(question, operator, diff)))
    return mutants
