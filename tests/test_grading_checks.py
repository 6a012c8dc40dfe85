"""The type-strict checks of ``mlops_course.grading.checks``: honest answers pass, duck-typed ones fail.

Every attack below is something a learner can write in an answer cell to pass a comparison without
answering: objects that claim to equal anything, and subclasses of the expected type with lying methods.
"""

import math

import numpy as np
import pandas as pd
import pytest

from mlops_course.grading.checks import expect_close, expect_equal, expect_same_items, expect_type, plain


# --- the attacks -----------------------------------------------------------------------------------------------

class AlwaysEqual:
    """Equal to everything, truthy, sized, iterable, indexable: the classic duck-typed answer."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __lt__(self, other):
        return True

    __le__ = __gt__ = __ge__ = __lt__

    def __bool__(self):
        return True

    def __float__(self):
        return 0.0

    def __int__(self):
        return 0

    def __index__(self):
        return 0

    def __len__(self):
        return 3

    def __iter__(self):
        return iter([self, self, self])

    def __getitem__(self, key):
        return self

    def __contains__(self, item):
        return True

    def __hash__(self):
        return 0

    def __getattr__(self, name):
        return self

    def __call__(self, *args, **kwargs):
        return self


class LyingStr(str):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __hash__(self):
        return hash("bias")

    def __str__(self):
        return "anything"


class LyingFloat(float):
    def __eq__(self, other):
        return True

    def __float__(self):
        return 0.1155

    def __lt__(self, other):
        return True

    __gt__ = __le__ = __ge__ = __lt__
    __hash__ = float.__hash__


class LyingInt(int):
    def __eq__(self, other):
        return True

    __hash__ = int.__hash__


class LyingDict(dict):
    def __eq__(self, other):
        return True

    def __getitem__(self, key):
        return AlwaysEqual()


class LyingList(list):
    def __eq__(self, other):
        return True


class FakeFrame(pd.DataFrame):
    def __eq__(self, other):
        return True

    def equals(self, other):
        return True


class FakeIndex(pd.Index):
    def equals(self, other):
        return True


class LyingFloat64(np.float64):
    def __eq__(self, other):
        return True

    __hash__ = np.float64.__hash__


class PosingAsFloat:
    """isinstance(x, float) is True through a __class__ property; type(x) tells the truth."""

    @property
    def __class__(self):
        return float

    def __eq__(self, other):
        return True


class PosingMeta(type):
    """A metaclass that makes the class claim to be float when types are compared with == or looked up in a set."""

    def __eq__(cls, other):
        return True

    def __hash__(cls):
        return hash(float)

    def __getattribute__(cls, name):
        if name in ("__name__", "__qualname__", "__module__"):
            raise RuntimeError("the checks must not run the learner's code to name a type")
        return super().__getattribute__(name)


class PosingType(metaclass=PosingMeta):
    def __eq__(self, other):
        return True


def _class_name(value):
    return type.__dict__["__name__"].__get__(type(value))  # PosingType refuses type(value).__name__


ATTACKS = [PosingType(), AlwaysEqual(), LyingStr("ks"), LyingFloat(0.5), LyingInt(4), LyingDict(a=1), LyingList([1, 2]),
           LyingFloat64(0.5), PosingAsFloat()]


# --- expect_type ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, types", [
    (0.5, float), (np.float64(0.5), float), (np.float32(0.5), float), (4, int), (np.int64(4), int),
    (True, bool), (np.bool_(False), bool), ("ks", str), (np.str_("ks"), str), (None, type(None)),
    ([1, "a", None, (2.0, np.int8(3))], list), ({"a": [1, 2], "b": {"c": np.float64(1)}}, dict),
    ({"R01", "R02"}, set), (("ks", 0.1, 0.5), tuple), (np.arange(3.0), np.ndarray),
    (np.array(["a", None], dtype=object), np.ndarray), (3, (int, float)),
])
def test_honest_values_pass_and_come_back_unchanged(value, types):
    assert expect_type(value, types, "the answer") is value


def test_honest_pandas_objects_pass():
    frame = pd.DataFrame({"month": ["2024-04", "2024-05"], "psi": [0.1, 0.2], "drift": [True, False],
                          "channel": pd.Categorical(["branch", "online"]), "when": pd.to_datetime(["2024-04-01"] * 2),
                          "n": pd.array([1, None], dtype="Int64")})
    assert expect_type(frame, pd.DataFrame, "drift_table") is frame
    pairs = frame.set_index(["month", "channel"])
    assert expect_type(pairs, pd.DataFrame, "pairs") is pairs
    series = pd.Series([0.1, 0.2], index=pd.Index(["a", "b"], name="feature"), name="psi")
    assert expect_type(series, pd.Series, "score_psi") is series
    assert expect_type(pd.RangeIndex(3), pd.Index, "the index") is not None
    assert expect_type(frame.columns, pd.Index, "the columns") is frame.columns


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: _class_name(a))
@pytest.mark.parametrize("types", [float, int, str, dict, list, pd.DataFrame, (float, int)], ids=str)
def test_duck_typed_values_fail(attack, types):
    with pytest.raises(AssertionError, match=r"^the answer must be"):
        expect_type(attack, types, "the answer")


def test_a_subclass_is_named_and_explained():
    with pytest.raises(AssertionError) as failure:
        expect_type(FakeFrame({"a": [1]}), pd.DataFrame, "rank_risks(example)")
    message = str(failure.value)
    assert message.startswith("rank_risks(example) must be exactly a pandas DataFrame, got FakeFrame, a subclass")
    with pytest.raises(AssertionError, match=r"must be a pandas DataFrame, got AlwaysEqual$"):
        expect_type(AlwaysEqual(), pd.DataFrame, "rank_risks(example)")


def test_bool_is_not_a_number():
    with pytest.raises(AssertionError, match="must be a whole number"):
        expect_type(True, int, "best_interval(cost)")


@pytest.mark.parametrize("inside", [LyingStr("a"), LyingFloat(1.0), AlwaysEqual(), LyingFloat64(1.0)],
                         ids=lambda a: _class_name(a))
def test_lying_objects_inside_containers_fail(inside):
    objects = np.empty(2, dtype=object)
    objects[0], objects[1] = 1, inside
    holders = [[1, inside], (inside,), {"key": inside}, {inside: 1}, {"a": [{"b": inside}]}, {inside}, objects]
    for holder in holders:
        with pytest.raises(AssertionError, match="must hold only plain values"):
            expect_type(holder, type(holder), "the answer")


@pytest.mark.parametrize("build", [
    lambda x: pd.DataFrame({"risk_id": ["A", x]}),                          # an object column
    lambda x: pd.DataFrame({x: [1, 2]}),                                    # a column label
    lambda x: pd.DataFrame({"a": [1, 2]}, index=["r", x]),                  # an index label
    lambda x: pd.DataFrame({"a": [1]}, index=pd.Index(["r"], name=x)),      # an index name
    lambda x: pd.Series([1, 2], index=pd.MultiIndex.from_tuples([("a", x), ("a", "b")])),  # a MultiIndex level
    lambda x: pd.Series(pd.Categorical([x])),                          # a category
    lambda x: pd.Series([1.0], name=x),                                     # the Series' name
], ids=["object column", "column label", "index label", "index name", "multiindex", "category", "series name"])
def test_lying_objects_inside_pandas_objects_fail(build):
    value = build(LyingStr("b"))
    with pytest.raises(AssertionError, match="must hold only plain values"):
        expect_type(value, type(value), "the answer")


def test_a_foreign_index_class_fails():
    frame = pd.DataFrame({"a": [1, 2]})
    frame.index = FakeIndex._simple_new(np.array(["x", "y"], dtype=object))
    assert type(frame.index) is FakeIndex
    with pytest.raises(AssertionError, match="holds FakeIndex"):
        expect_type(frame, pd.DataFrame, "the answer")


def test_a_list_that_contains_itself_fails_cleanly():
    loop = [1]
    loop.append(loop)
    with pytest.raises(AssertionError, match="nested too deeply"):
        expect_type(loop, list, "the answer")


# --- plain -----------------------------------------------------------------------------------------------------

def test_plain_converts_numpy_and_pandas_to_python():
    assert plain(np.float64(0.5), "x") == 0.5 and type(plain(np.float64(0.5), "x")) is float
    assert type(plain(np.int64(3), "x")) is int and type(plain(np.bool_(True), "x")) is bool
    assert plain(np.array([1, 2]), "x") == [1, 2]
    converted = plain(pd.Series({"R01": "bias", "R02": np.str_("maintenance")}), "x")
    assert converted == {"R01": "bias", "R02": "maintenance"}
    assert all(type(k) is str and type(v) is str for k, v in converted.items())
    assert plain(pd.Index(["a", "b"]), "x") == ["a", "b"]
    assert plain({"a": (np.int64(1), [np.float32(2.0)])}, "x") == {"a": (1, [2.0])}
    assert plain(pd.Series({"Alder": np.int64(0)}), "google_levels", (dict, pd.Series)) == {"Alder": 0}
    with pytest.raises(AssertionError, match="^google_levels must be a dict or a pandas Series, got list$"):
        plain([("Alder", 0)], "google_levels", (dict, pd.Series))


@pytest.mark.parametrize("attack", ATTACKS + [FakeFrame({"a": [1]}), pd.DataFrame({"a": [1]})],
                         ids=lambda a: _class_name(a))
def test_plain_refuses_what_it_cannot_trust(attack):
    with pytest.raises(AssertionError, match="^risk_categories must"):
        plain(attack, "risk_categories")


# --- expect_equal, expect_close, expect_same_items -------------------------------------------------------------

def test_expect_equal_accepts_honest_answers():
    expect_equal("2024-07", "2024-07", "concept_drift_month")
    expect_equal(np.str_("2024-07"), "2024-07", "concept_drift_month")
    expect_equal(np.int64(4), 4, "best_interval(cost)")
    expect_equal(4.0, 4, "best_interval(cost)")
    expect_equal(np.bool_(True), True, "amplifies")
    expect_equal(("ks", np.float64(0.1)), ("ks", 0.1), "drift_test(...)")
    expect_equal(np.array(["a", "b"]), ["a", "b"], "flagged")
    expect_equal(pd.Series({"a": "2024-07"}), {"a": "2024-07"}, "first_drift_month")
    expect_equal({"a": np.str_("2024-07")}, {"a": "2024-07"}, "first_drift_month")


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: _class_name(a))
@pytest.mark.parametrize("expected", ["2024-07", 4, 0.5, {"a": 1}, [1, 2], True], ids=repr)
def test_expect_equal_refuses_duck_typed_answers(attack, expected):
    with pytest.raises(AssertionError, match="^the answer must"):
        expect_equal(attack, expected, "the answer")


def test_expect_equal_messages_teach_and_never_show_the_expected_value():
    with pytest.raises(AssertionError) as failure:
        expect_equal("2024-05", "2024-07", "incident_month")
    assert "2024-07" not in str(failure.value) and "incident_month" in str(failure.value)
    with pytest.raises(AssertionError, match="^wrong incident month$"):
        expect_equal("2024-05", "2024-07", "incident_month", "wrong incident month")
    with pytest.raises(AssertionError, match="must be a string"):
        expect_equal(202407, "2024-07", "incident_month")
    with pytest.raises(AssertionError, match="must be True or False"):
        expect_equal(1, True, "amplifies")
    with pytest.raises(AssertionError) as failure:
        expect_equal({"a": "2024-05"}, {"a": "2024-07"}, "first_drift_month")
    assert "2024-07" not in str(failure.value)


def test_expect_close():
    expect_close(0.11552, math.log(2) / 6, "psi_numeric(...)", rel_tol=1e-3)
    expect_close(np.float64(1.0), 1.0, "decay_per_month(falling)")
    expect_close(3, 3.0, "monthly_cost(...)")
    with pytest.raises(AssertionError) as failure:
        expect_close(0.2, 0.1155, "psi_numeric(...)", rel_tol=1e-6)
    assert "0.1155" not in str(failure.value)
    with pytest.raises(AssertionError, match="^use shares$"):
        expect_close(11.55, 0.1155, "psi_numeric(...)", "use shares", rel_tol=1e-6)
    for attack in ATTACKS + [True, "0.1155", [0.1155]]:
        with pytest.raises(AssertionError, match="must be (exactly )?a float or a whole number"):
            expect_close(attack, 0.1155, "psi_numeric(...)", abs_tol=1)


def test_expect_same_items():
    expect_same_items([("a2", "no_responsible"), ("a1", "several_accountable")],
                      [("a1", "several_accountable"), ("a2", "no_responsible")], "raci_violations(messy)")
    expect_same_items({"APP-1", "APP-2"}, {"APP-2", "APP-1"}, "incident_ids")
    expect_same_items(np.array(["b", "a"]), ["a", "b"], "flagged")
    expect_same_items([["a1", "x"]], [("a1", "x")], "pairs")
    with pytest.raises(AssertionError, match="does not hold the right items"):
        expect_same_items(["a", "a", "b"], ["a", "b", "b"], "flagged")
    with pytest.raises(AssertionError, match="does not hold the right items"):
        expect_same_items({"APP-1"}, {"APP-1", "APP-2"}, "incident_ids")
    with pytest.raises(AssertionError, match="must be a list, a tuple or a set"):
        expect_same_items({"a": 1}, ["a"], "flagged")
    for attack in ATTACKS + [[LyingStr("a")], {LyingStr("APP-1")}]:
        with pytest.raises(AssertionError, match="^flagged must"):
            expect_same_items(attack, ["a"], "flagged")


def test_expect_equal_wants_a_plain_expected_value():
    with pytest.raises(TypeError, match="compares plain values"):
        expect_equal(1, np.int64(1), "the answer")
    expect_equal(frozenset({"a"}), {"a"}, "the answer")
    with pytest.raises(AssertionError, match="must be exactly a whole number .* got AnyInterval, a subclass"):
        expect_equal(type("AnyInterval", (int,), {"__eq__": lambda self, other: True, "__hash__": int.__hash__})(3),
                     4, "best_interval(cost)")


def test_pandas_objects_changed_by_hand_fail():
    shadowed = pd.Series([0.1, 0.2])
    shadowed.tolist = lambda: AlwaysEqual()  # an instance attribute in place of pandas' method
    with pytest.raises(AssertionError, match="must be left as pandas made it, but .*'tolist' replaces pandas' tolist"):
        expect_type(shadowed, pd.Series, "score_psi")

    frame = pd.DataFrame({"risk_id": ["B", "A", "C"]})
    frame.equals = lambda other: True
    with pytest.raises(AssertionError, match="'equals' replaces"):
        expect_type(frame, pd.DataFrame, "ranked")

    cached = pd.DataFrame({"risk_id": ["B", "A", "C"]})
    cached["risk_id"]  # pandas caches the column ...
    cached._item_cache["risk_id"] = AlwaysEqual()  # ... and the learner replaces what the cache answers
    with pytest.raises(AssertionError, match=r"holds AlwaysEqual \(at _item_cache\['risk_id'\]\)"):
        expect_type(cached, pd.DataFrame, "ranked")

    managed = pd.Series([1.0])
    object.__setattr__(managed, "_mgr", AlwaysEqual())
    with pytest.raises(AssertionError, match=r"holds AlwaysEqual \(at _mgr\)"):
        expect_type(managed, pd.Series, "score_psi")


def test_pandas_objects_used_honestly_still_pass():
    frame = pd.DataFrame({"month": ["2024-04", "2024-05"], "psi": [0.1, 0.2]}).set_index("month")
    frame["psi"].sum()  # fills pandas' column cache with its own Series
    frame.loc["2024-04", "psi"]
    frame.index.get_loc("2024-05")
    assert expect_type(frame, pd.DataFrame, "flights_psi") is frame
    grouped = frame.groupby(level=0)["psi"].mean()
    assert expect_type(grouped, pd.Series, "score_psi") is grouped
