"""Type-strict checks for the test cells of the assignments.

A test that compares a learner's answer runs code that the answer chooses: ``x == 4`` calls
``type(x).__eq__``, ``assert x`` calls ``__bool__``, ``v in codes`` calls ``__hash__`` and ``__eq__``,
``math.isclose(x, 1)`` calls ``__float__``, ``sorted(x)`` calls ``__iter__`` and ``__lt__``, ``str(x)``
calls ``__str__``. An object whose ``__eq__`` always returns True, or a ``str`` subclass that claims to
equal every string, would pass such a test without answering the question. So a test cell looks at the
answer's type first, with the checks below, and compares only after the answer has passed them.

The rule, by kind of value
--------------------------
- **Scalars**: the type must be *exactly* an accepted type (``type(x) is float``, never ``isinstance``,
  which a subclass with lying methods -- or a class with a ``__class__`` property -- passes). Types are
  compared by identity, never with ``==`` or ``in``, which a metaclass with a lying ``__eq__`` and
  ``__hash__`` would answer. numpy's own scalar types stand for the Python type they model:
  ``numpy.float64`` is a float, ``numpy.int64`` an int, ``numpy.bool_`` a bool, ``numpy.str_`` a str.
  ``bool`` is not an int here: True is not a number of months.
- **Containers** (list, tuple, dict, set, frozenset): the exact type, and every key and item by the same
  rule, recursively.
- **numpy arrays**: exactly ``numpy.ndarray``; the elements of an object array are checked one by one.
- **pandas Series, DataFrame and Index**: exactly pandas' class; the index, the column labels, the names
  and the values of every column are checked. Values that pandas or numpy store themselves (numbers,
  booleans, dates, categories' codes) are theirs; object values are checked one by one, and so are the
  categories of a categorical column.
  A pandas object must also be as pandas made it: an attribute of its own that replaces a method of its
  class (``answer.tolist = ...``) is refused, and so is a data manager or a column cache not of pandas.
- Anything else (a model, a ``MetricFrame``) is not a value: test it through what it returns.

Once an answer has passed, everything inside it is of a built-in, numpy or pandas type, so the test's own
comparisons (``==``, ``in``, ``math.isclose``, pandas methods) run only those libraries' code. That is why
a test cell can keep its readable asserts and messages: it checks the answer once, where it enters the
test, and compares as before::

    scored = expect_type(score_risks(register), pd.DataFrame, "score_risks(register)")
    interval = expect_type(best_interval(cost), int, "best_interval(cost)")
    categories = plain(risk_categories, "risk_categories", (dict, pd.Series))  # {risk id: category}
    expect_equal(incident_month, key_month, "incident_month", "wrong incident month")

A test cell imports the checks itself (``from mlops_course.grading.checks import ...``), so an answer cell
that binds one of these names to something else is overruled by the next test cell.

Messages say what the object must be and what it is, and teach; they never show an expected value, and
they name a type through ``type``'s own descriptors, so no code of the learner's runs while a check fails.

Limits
------
These checks protect comparisons. A submission that replaces these functions, pandas' or numpy's methods
or ``math.isclose`` changes the grading environment itself, which no check of a value can see; that is
what ``grading.tamper`` looks for. Surgery on pandas' private internals beyond the data manager and the
column cache (its blocks, its private attributes) is not inspected. A learner's function still runs when
a test calls it, and what it returns is checked afterwards.
"""

from __future__ import annotations

import copy
import math
from collections import Counter

import numpy as np
import pandas as pd
from pandas.core.internals import BlockManager, SingleBlockManager

__all__ = ["PARTIAL_MARK", "call_unchanged", "partial_credit", "expect_close", "expect_equal", "expect_same_items", "expect_type", "plain"]

_MAX_DEPTH = 20  # deeper nesting than any answer needs; also stops a list that contains itself


def _ids(types) -> frozenset[int]:
    """Sets of types are kept as sets of ids: ``id(type(x)) in ids`` cannot run the learner's code."""
    return frozenset(id(t) for t in types)


# numpy's own scalar types, by the Python type they stand for (collected from numpy, never by name).
_NUMPY_AS = {}
for _t in set(np.sctypeDict.values()):
    for _numpy_kind, _python_type in ((np.bool_, bool), (np.integer, int), (np.floating, float), (np.str_, str)):
        if issubclass(_t, _numpy_kind):
            _NUMPY_AS[id(_t)] = _python_type

# Scalars that may stand anywhere in an answer: Python's, numpy's, and pandas' dates, periods and missing
# values, which pandas itself puts into frames.
_SCALARS = _ids([type(None), bool, int, float, str, pd.Timestamp, pd.Timedelta, pd.Period, pd.Interval,
                 type(pd.NaT), type(pd.NA), np.datetime64, np.timedelta64]) | frozenset(_NUMPY_AS)
_SEQUENCES = _ids([list, tuple, set, frozenset])
_PANDAS_ARRAYS = _ids(v for v in vars(pd.arrays).values() if isinstance(v, type))
_PANDAS_INDEXES = _ids([pd.Index, pd.RangeIndex, pd.MultiIndex, pd.CategoricalIndex, pd.DatetimeIndex,
                        pd.PeriodIndex, pd.TimedeltaIndex, pd.IntervalIndex])

_MANAGERS = _ids([BlockManager, SingleBlockManager])

_PLAIN_ACCEPTS = (type(None), bool, int, float, str, list, tuple, dict, set, frozenset, np.ndarray, pd.Series,
                  pd.Index)

_NAMES = {
    type(None): "None", bool: "True or False (a bool)", int: "a whole number (an int)", float: "a float",
    str: "a string (str)", list: "a list", tuple: "a tuple", dict: "a dict", set: "a set",
    frozenset: "a frozenset", np.ndarray: "a numpy array", pd.Series: "a pandas Series",
    pd.DataFrame: "a pandas DataFrame", pd.Index: "a pandas Index",
}


class _Untrusted(Exception):
    """An object inside an answer whose type the checks do not accept, or a pandas object changed by hand."""

    def __init__(self, found: type, where: str, reason: str = ""):
        super().__init__(found, where, reason)
        self.found, self.where, self.reason = found, where, reason


def _type_name(t: type) -> str:
    """The name of a type, read through ``type``'s own descriptors, so a metaclass cannot run code here."""
    name = str.__str__(type.__dict__["__qualname__"].__get__(t))
    module = type.__dict__["__module__"].__get__(t)
    module = str.__str__(module).split(".")[0] if type(module) is str else ""
    return f"{module}.{name}" if module in ("numpy", "pandas") else name


def _describe(types: tuple[type, ...]) -> str:
    return " or ".join(_NAMES.get(t, _type_name(t)) for t in types)


def _kind(value) -> type:
    """The type that ``value`` counts as: numpy's scalars count as the Python type they model, and every
    one of pandas' index classes as ``pandas.Index``."""
    t = type(value)
    return pd.Index if id(t) in _PANDAS_INDEXES else _NUMPY_AS.get(id(t), t)


def _is_one_of(t: type, types: tuple[type, ...]) -> bool:
    return any(t is accepted for accepted in types)


def _at(where: str, step: str) -> str:
    return f"{where}{step}" if where else step.lstrip(".")


def _check_own_attributes(obj, where: str, depth: int) -> None:
    """A pandas object as pandas made it: no public attribute of its own in place of one of its class's
    (pandas keeps only private ones), pandas' own data manager, and a column cache of checked Series."""
    try:
        own = object.__getattribute__(obj, "__dict__")
    except AttributeError:
        return
    if type(own) is not dict:
        raise _Untrusted(type(own), _at(where, ".__dict__"))
    for key in dict.keys(own):  # dict's own method: nothing of the learner's runs
        if type(key) is not str:
            raise _Untrusted(type(key), _at(where, " (an attribute name)"))
        if not key.startswith("_") and hasattr(type(obj), key):
            raise _Untrusted(type(obj), where, f"its own attribute {key!r} replaces pandas' {key}")
    if "_mgr" in own and id(type(own["_mgr"])) not in _MANAGERS:
        raise _Untrusted(type(own["_mgr"]), _at(where, "._mgr"))
    cache = own.get("_item_cache", {})
    if type(cache) is not dict:
        raise _Untrusted(type(cache), _at(where, "._item_cache"))
    for label, column in dict.items(cache):  # DataFrame["label"] answers from here first
        _check(label, _at(where, "._item_cache (a key)"), depth + 1)
        if type(column) is not pd.Series:
            raise _Untrusted(type(column), _at(where, f"._item_cache[{label!r}]"))
        _check(column, _at(where, f"[{label!r}]"), depth + 1)


def _check_labels(index, where: str, depth: int) -> None:
    if id(type(index)) not in _PANDAS_INDEXES:
        raise _Untrusted(type(index), where)
    _check_own_attributes(index, where, depth)
    for name in index.names:
        _check(name, _at(where, ".names"), depth + 1)
    if type(index) is pd.MultiIndex:
        for number, level in enumerate(index.levels):
            _check_labels(level, _at(where, f".levels[{number}]"), depth + 1)
    else:
        _check_array(index.array, where, depth + 1)


def _check_array(array, where: str, depth: int) -> None:
    """The values of a pandas object: pandas' own array types, and object values one by one."""
    if id(type(array)) not in _PANDAS_ARRAYS:
        raise _Untrusted(type(array), where)
    _check_own_attributes(array, where, depth)
    if type(array) is pd.Categorical:
        _check_labels(array.categories, _at(where, ".categories"), depth + 1)
    elif type(array) is pd.arrays.NumpyExtensionArray:
        _check(array.to_numpy(), where, depth + 1)


def _check(value, where: str = "", depth: int = 0) -> None:
    """Raise ``_Untrusted`` if ``value`` or anything inside it is not of an accepted type."""
    if depth > _MAX_DEPTH:
        raise _Untrusted(type(value), where + " (nested too deeply)")
    t = type(value)
    if id(t) in _SCALARS:
        return
    if id(t) in _SEQUENCES:
        ordered = t is list or t is tuple
        for number, item in enumerate(value):
            _check(item, _at(where, f"[{number}]") if ordered else _at(where, " (an item)"), depth + 1)
    elif t is dict:
        for key, item in value.items():
            _check(key, _at(where, " (a key)"), depth + 1)
            _check(item, _at(where, f"[{key!r}]"), depth + 1)
    elif t is np.ndarray:
        if value.dtype.kind == "O":
            for number, item in enumerate(value.ravel().tolist()):
                _check(item, _at(where, f"[{number}]"), depth + 1)
        elif value.dtype.kind not in "biufcMmUS":
            raise _Untrusted(t, where + f" (numpy dtype {value.dtype})")
    elif t is pd.Series:
        _check_own_attributes(value, where, depth)
        _check_labels(value.index, _at(where, ".index"), depth)
        _check(value.name, _at(where, ".name"), depth + 1)
        _check_array(value.array, where, depth)
    elif t is pd.DataFrame:
        _check_own_attributes(value, where, depth)
        _check_labels(value.index, _at(where, ".index"), depth)
        _check_labels(value.columns, _at(where, ".columns"), depth)
        for number, label in enumerate(value.columns):
            _check_array(value.iloc[:, number].array, _at(where, f"[{label!r}]"), depth)
    elif id(t) in _PANDAS_INDEXES:
        _check_labels(value, where, depth)
    else:
        raise _Untrusted(t, where)


def expect_type(value, types, what: str):
    """Return ``value`` if its type is exactly one of ``types`` and everything inside it is a plain value.

    ``types``: a type or a tuple of types, among the built-in scalars and containers, ``numpy.ndarray``
    and pandas' ``Series``, ``DataFrame`` and ``Index``. ``what`` names the object in the message, for
    example ``"rank_risks(example)"``. Raises AssertionError with a message that says what was wrong.
    """
    types = types if isinstance(types, tuple) else (types,)
    found = type(value)
    if not _is_one_of(_kind(value), types):
        wanted = _describe(types)
        if found is not bool and any(issubclass(found, t) for t in types):
            raise AssertionError(f"{what} must be exactly {wanted}, got {_type_name(found)}, a subclass of it, which "
                                 "can change what its comparisons mean: use the plain type")
        raise AssertionError(f"{what} must be {wanted}, got {_type_name(found)}")
    try:
        _check(value)
    except _Untrusted as problem:
        inside = f" (at {problem.where})" if problem.where else ""
        if problem.reason:
            raise AssertionError(f"{what} must be left as pandas made it, but{inside} {problem.reason}; "
                                 "compute it with pandas' own methods") from None
        raise AssertionError(
            f"{what} must hold only plain values (numbers, strings, True/False, None, and lists, tuples, dicts "
            f"or pandas objects of them), but holds {_type_name(problem.found)}{inside}") from None
    return value


def plain(value, what: str, types=None):
    """``value`` as plain Python data, after the checks of ``expect_type``.

    numpy scalars become Python scalars, numpy arrays and pandas Index objects lists, a pandas Series a
    dict ``{label: value}``; lists, tuples, dicts and sets keep their type with their items converted.
    ``types`` (optional) narrows what is accepted, for example ``(dict, pd.Series)`` for a mapping.
    A DataFrame is not converted (check it with ``expect_type`` and use pandas).
    """
    if types is not None:
        expect_type(value, types, what)
    if not _is_one_of(_kind(value), _PLAIN_ACCEPTS):
        raise AssertionError(f"{what} must be plain data (a number, a string, True/False, None, or a list, tuple, "
                             f"dict, set, numpy array or pandas Series of them), got {_type_name(type(value))}")
    return _to_plain(expect_type(value, _kind(value), what))


def _to_plain(value):
    t = type(value)
    if id(t) in _NUMPY_AS:
        return value.item()
    if id(t) in _SEQUENCES:
        return t(_to_plain(item) for item in value)
    if t is dict:
        return {_to_plain(key): _to_plain(item) for key, item in value.items()}
    if t is np.ndarray:
        return [_to_plain(item) for item in value.tolist()]
    if t is pd.Series:
        return {_to_plain(key): _to_plain(item) for key, item in zip(value.index.tolist(), value.tolist())}
    if id(t) in _PANDAS_INDEXES:
        return [_to_plain(item) for item in value.tolist()]
    return value


# What an answer may be when the test expects a value of this type; numbers compare as numbers.
_EQUAL_KINDS = {int: (int, float), float: (float, int), bool: (bool,), str: (str,), type(None): (type(None),),
                list: (list, np.ndarray, pd.Index), tuple: (tuple,), dict: (dict, pd.Series), set: (set, frozenset),
                frozenset: (set, frozenset)}


def expect_equal(value, expected, what: str, message: str | None = None) -> None:
    """``value`` must be of the kind of ``expected`` (a plain value of the test) and equal to it.

    Numbers compare as numbers (3 equals 3.0; use ``expect_close`` for computed floats); a numpy array
    or pandas Index counts as a list and a Series as a dict; otherwise Python's ``==`` on plain values.
    ``message`` teaches what is wrong when the value differs; it must not contain the expected value.
    """
    if type(expected) not in _EQUAL_KINDS:
        raise TypeError(f"expect_equal compares plain values; the expected value is a {_type_name(type(expected))}")
    if plain(value, what, _EQUAL_KINDS[type(expected)]) != expected:
        raise AssertionError(message or f"{what} is not the right value: check it against the question")


def expect_close(value, expected: float, what: str, message: str | None = None, rel_tol: float = 1e-9,
                 abs_tol: float = 0.0) -> None:
    """``value`` must be a number (an int or a float, not a bool) close to ``expected``, as ``math.isclose``."""
    got = float(expect_type(value, (float, int), what))
    if not math.isclose(got, expected, rel_tol=rel_tol, abs_tol=abs_tol):
        raise AssertionError(message or f"{what} is not the right value: check it against the question")


def _hashable(item):
    """Lists inside items become tuples, so that items can be counted."""
    return tuple(_hashable(i) for i in item) if type(item) in (list, tuple) else item


def expect_same_items(value, expected, what: str, message: str | None = None) -> None:
    """``value`` must be a collection (list, tuple, set, numpy array, pandas Index) of the items of
    ``expected``, in any order; a list or tuple must hold each item as often as ``expected`` does."""
    got = plain(value, what)
    if type(got) not in (list, tuple, set, frozenset):
        raise AssertionError(f"{what} must be a list, a tuple or a set, got {_type_name(type(value))}")
    if type(got) in (set, frozenset):
        same = got == set(expected)
    else:
        same = Counter(map(_hashable, got)) == Counter(map(_hashable, expected))
    if not same:
        raise AssertionError(message or f"{what} does not hold the right items: check it against the question")


# --- functions must leave the caller's data alone ----------------------------------------------------

_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")


def call_unchanged(name: str, function, /, *args, **kwargs):
    """Call ``function(*args, **kwargs)`` and fail if it changed any argument it was given; return its result.

    Every argument is deep-copied before the call and compared with its copy after it, so a helper column
    written into the caller's frame, a value stored in the caller's dict or an in-place sort is caught.
    The arguments are the test's own data (frames, arrays, dicts, lists, scalars), never the learner's.
    """
    copies = copy.deepcopy((args, kwargs))
    result = function(*args, **kwargs)
    labelled = [(f"the {_ORDINALS[i] if i < len(_ORDINALS) else f'#{i + 1}'} argument", a, c)
                for i, (a, c) in enumerate(zip(args, copies[0]))]
    labelled += [(f"the argument {key}=", kwargs[key], copies[1][key]) for key in kwargs]
    for where, after, before in labelled:
        change = _change(before, after)
        if change:
            raise AssertionError(
                f"{name} changed {where} it was given ({change}). A function must leave the caller's data "
                "as it found it: work on a copy (frame.copy(), dict(...), list(...)) or build a new object, "
                "and return the result")
    return result


def _change(before, after) -> str | None:
    """What differs between an argument's copy taken before the call and the argument after it, or None."""
    if isinstance(before, pd.DataFrame):
        if list(after.columns) != list(before.columns):
            added = [c for c in after.columns if c not in set(before.columns)]
            return f"its columns changed{': ' + ', '.join(map(str, added)) + ' added' if added else ''}"
        if not after.index.equals(before.index):
            return "its rows were reordered, dropped or relabelled"
        if list(after.dtypes) != list(before.dtypes):
            return "the type of a column changed"
        return None if after.equals(before) else "some of its values changed"
    if isinstance(before, pd.Series):
        if not after.index.equals(before.index):
            return "its index was reordered, dropped or relabelled"
        if after.dtype != before.dtype or after.name != before.name:
            return "its type or name changed"
        return None if after.equals(before) else "some of its values changed"
    if isinstance(before, np.ndarray):
        same = (after.shape == before.shape and after.dtype == before.dtype
                and np.array_equal(after, before, equal_nan=before.dtype.kind in "fc"))
        return None if same else "its values changed"
    if isinstance(before, dict):
        if list(after) != list(before):
            return "keys were added, removed or reordered"
        for key in before:
            inner = _change(before[key], after[key])
            if inner:
                return f"the value of {key!r} changed: {inner}"
        return None
    if isinstance(before, (list, tuple)):
        if len(after) != len(before):
            return "items were added or removed"
        for position, (b, a) in enumerate(zip(before, after)):
            inner = _change(b, a)
            if inner:
                return f"item {position} changed: {inner}"
        return None
    if isinstance(before, set):
        return None if after == before else "items were added or removed"
    if isinstance(before, float) and math.isnan(before):
        return None if isinstance(after, float) and math.isnan(after) else "it changed"
    return None if before == after else "it changed"


# --- partial credit ----------------------------------------------------------------------------------

PARTIAL_MARK = "Not yet right:"  # the feedback and the batch summary keep the lines that start with it


def partial_credit(points: float, problems: list[str], items: int) -> float:
    """The score of a test cell whose question has ``items`` independent items, ``problems`` naming the wrong ones.

    Each problem is printed on a line of its own (a teaching message, never the expected value), and the
    points earned, ``points * (items - len(problems)) / items`` rounded to two decimals, are returned. A
    test cell ends with this call, so it is the cell's last value, which nbgrader takes as its score.
    """
    if type(items) is not int or items <= 0:
        raise ValueError(f"items must be a positive int, not {items!r}")
    if len(problems) > items:
        raise ValueError(f"{len(problems)} problems for {items} items: each item can fail once at most")
    for problem in problems:
        print(f"{PARTIAL_MARK} {problem}")
    return round(float(points) * (items - len(problems)) / items, 2)
