"""Exact path-dependent TreeSHAP of a binary LightGBM model, from tables built once at load.

In one tree, a row's SHAP values depend on the row only through which way each split sends it:
leaf L adds v_L * (Shapley weight) to each feature j on its path, and the weight's only
row-dependent inputs are the "one fractions" o_j (does the row meet every condition on j along
the path?); the "zero fractions" (products of the path's cover ratios) are fixed. So the
additions of a whole subtree are tabulated at load for every combination of its splits'
decisions and of the decisions on the path above it, and a batch is explained with array work:
decide every split for every row, read each subtree's combination as a binary number, look its
additions up and add them per feature. This is LightGBM's own algorithm (`pred_contrib`),
summed in another order; the results agree to floating point.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import factorial

import lightgbm as lgb
import numpy as np
from scipy import sparse

# LightGBM reads inputs with |x| <= kZeroThreshold (a float literal, 1e-35f) as exact zeros.
_ZERO = float(np.float32(1e-35))
# A subtree is tabulated whole when its splits and those above it are at most this many: a
# depth-3 tree is then one table of 2^7 rows; deeper trees are cut into such subtrees.
_GROUP_BITS = 8
_MAX_BITS = 12  # a leaf deeper than this would need a table of more than 2^12 rows


@dataclass
class _Tables:
    """Splits and tables, flattened over every tree of the model."""

    node_column: list[int] = field(default_factory=list)  # into the stacked input variants
    threshold: list[float] = field(default_factory=list)
    groups: list[list[int]] = field(default_factory=list)  # per subtree, its bits' splits
    entries: list[tuple[int, int, int]] = field(default_factory=list)  # (group, feature, base)
    values: list[np.ndarray] = field(default_factory=list)  # per entry, addition per pattern
    size: int = 0  # of the values so far
    expected: float = 0.0


class PathShap:
    """Exact path-dependent TreeSHAP of a LightGBM booster from per-tree tables built at load.

    `contributions(x)` equals `booster.predict(x, pred_contrib=True)` to floating point, over
    the same trees (up to the best iteration if the booster has one, like `dump_model`).
    Binary (single-output) models with numerical splits only.
    """

    def __init__(self, booster: lgb.Booster):
        model = booster.dump_model()
        _check_supported(model)
        self.num_features = booster.num_feature()
        tables = _Tables()
        for tree in model["tree_info"]:
            _add_tree(tree["tree_structure"], tables, self.num_features)
        self.expected_value = tables.expected
        self._freeze(tables)

    def _freeze(self, t: _Tables) -> None:
        self._node_column = np.array(t.node_column, dtype=np.intp)
        self._threshold = np.array(t.threshold)[:, None]
        # Bits padded to one count with bits of place 0, so that each step is one operation.
        bits = max(map(len, t.groups), default=0)
        self._bit_node = np.zeros((bits, len(t.groups)), dtype=np.intp)
        self._bit_place = np.zeros((bits, len(t.groups), 1), dtype=np.int32)
        for g, nodes in enumerate(t.groups):
            self._bit_node[: len(nodes), g] = nodes
            self._bit_place[: len(nodes), g, 0] = 1 << np.arange(len(nodes))
        group, feature, base = np.array(t.entries, dtype=np.intp).reshape(-1, 3).T
        self._entry_group, self._entry_base = group, base.astype(np.int32)[:, None]
        self._table = np.concatenate(t.values) if t.values else np.zeros(0)
        # Adds each entry's looked-up value to its feature: [features, entries].
        self._to_features = sparse.csr_array(
            (np.ones(len(feature)), (feature, np.arange(len(feature)))),
            shape=(self.num_features, len(feature)),
        )

    def contributions(self, x: np.ndarray) -> np.ndarray:
        """Per-feature contributions to the raw score, expected raw score last: [n, features+1]."""
        x = np.atleast_2d(np.asarray(x, dtype="float64"))
        if x.shape[1] != self.num_features:
            raise ValueError(f"expected {self.num_features} features, got {x.shape[1]}")
        out = np.empty((len(x), self.num_features + 1))
        out[:, -1] = self.expected_value
        out[:, :-1] = self._feature_sums(x).T
        return out

    def _feature_sums(self, x: np.ndarray) -> np.ndarray:
        # Arrays are [items, rows]: gathering items copies whole contiguous rows.
        left = _input_variants(x)[self._node_column] <= self._threshold
        pattern = np.zeros((self._bit_node.shape[1], len(x)), dtype=np.int32)
        for node, place in zip(self._bit_node, self._bit_place):
            pattern += left[node] * place
        values = self._table[pattern[self._entry_group] + self._entry_base]
        return self._to_features @ values


def _check_supported(model: dict) -> None:
    if model["num_tree_per_iteration"] != 1:
        raise ValueError("PathShap supports single-output (binary) models only")
    if model.get("average_output"):
        raise ValueError("PathShap does not support averaged (random forest) models")
    if any(tree["num_cat"] for tree in model["tree_info"]):
        raise ValueError("PathShap does not support categorical splits")


def _input_variants(x: np.ndarray) -> np.ndarray:
    """The inputs four ways, [4 * features, rows], so each split is one `<=` on its variant.

    A split sends missing values (NaN; with missing_type Zero, also zero) one way whatever the
    threshold: replacing them by -inf sends them left, by +inf right. Variants: NaN to -inf,
    NaN to +inf, NaN and zero to -inf, NaN and zero to +inf.
    """
    xt = np.where(np.abs(x.T) <= _ZERO, 0.0, x.T)  # as LightGBM reads a dense row
    nan = np.isnan(xt)
    nan_or_zero = nan | (xt == 0)
    return np.concatenate(
        [
            np.where(nan, -np.inf, xt),
            np.where(nan, np.inf, xt),
            np.where(nan_or_zero, -np.inf, xt),
            np.where(nan_or_zero, np.inf, xt),
        ]
    )


def _node_column(node: dict, num_features: int) -> int:
    """The input variant on which `x <= threshold` is LightGBM's decision for this split."""
    if node["decision_type"] != "<=":
        raise ValueError("PathShap does not support categorical splits")
    missing = node["missing_type"]
    if missing == "None":  # NaN reads as 0.0, which then goes where zero goes
        variant = 0 if node["threshold"] >= 0 else 1
    elif missing == "NaN":
        variant = 0 if node["default_left"] else 1
    elif missing == "Zero":
        variant = 2 if node["default_left"] else 3
    else:
        raise ValueError(f"unknown missing_type {missing!r}")
    return variant * num_features + node["split_feature"]


def _is_leaf(node: dict) -> bool:
    return "leaf_value" in node


def _leaf_value(leaf: dict) -> float:
    if "leaf_coeff" in leaf:  # LightGBM's pred_contrib refuses these too
        raise ValueError("PathShap does not support linear trees")
    return leaf["leaf_value"]


def _count(node: dict) -> int:
    return node["leaf_count"] if _is_leaf(node) else node["internal_count"]


def _splits(node: dict) -> list[dict]:
    """The subtree's internal nodes, preorder."""
    if _is_leaf(node):
        return []
    return [node, *_splits(node["left_child"]), *_splits(node["right_child"])]


def _add_tree(root: dict, t: _Tables, num_features: int) -> None:
    """Appends one tree's splits and tables; a single-leaf tree only shifts the base."""
    if _is_leaf(root):
        t.expected += _leaf_value(root)
        return
    index = {}
    for node in _splits(root):
        index[id(node)] = len(t.node_column)
        t.node_column.append(_node_column(node, num_features))
        t.threshold.append(node["threshold"])
    _add_subtree(root, [], index, t, _count(root))


def _add_subtree(node: dict, above: list[dict], index: dict, t: _Tables, total: int) -> None:
    """Tabulates `node`'s subtree whole if it is small enough, else each child's."""
    if _is_leaf(node) or len(above) + len(_splits(node)) <= _GROUP_BITS:
        _add_group(node, above, index, t, total)
        return
    for child in (node["left_child"], node["right_child"]):
        _add_subtree(child, [*above, node], index, t, total)


def _add_group(node: dict, above: list[dict], index: dict, t: _Tables, total: int) -> None:
    """One table for `node`'s subtree: per feature, its leaves' additions for every combination
    of the decisions of the splits above it and in it (bit i: the i-th of them goes left)."""
    splits = above + _splits(node)
    if len(splits) > _MAX_BITS:
        raise ValueError(f"PathShap supports trees of depth at most {_MAX_BITS}")
    bit = {id(split): i for i, split in enumerate(splits)}
    goes_left = _binary(len(splits)).astype(bool)
    path = [_edge(parent, child, bit) for parent, child in zip(above, [*above[1:], node])]
    additions: dict[int, np.ndarray] = {}
    for leaf, leaf_path in _leaves(node, path, bit):
        value = _leaf_value(leaf)
        t.expected += _count(leaf) / total * value
        for feature, part in _leaf_additions(value, leaf_path, goes_left).items():
            additions[feature] = additions.get(feature, 0.0) + part
    group = len(t.groups)
    t.groups.append([index[id(split)] for split in splits])
    for feature, part in additions.items():
        t.entries.append((group, feature, t.size))
        t.values.append(part)
        t.size += len(part)


def _edge(parent: dict, child: dict, bit: dict) -> tuple[int, bool, int, float]:
    """(parent's bit, whether the edge goes left, parent's feature, cover ratio)."""
    is_left = child is parent["left_child"]
    return bit[id(parent)], is_left, parent["split_feature"], _count(child) / _count(parent)


def _leaves(node: dict, path: list[tuple], bit: dict):
    """The subtree's leaves, each with its path's edges from the root."""
    if _is_leaf(node):
        yield node, path
        return
    for child in (node["left_child"], node["right_child"]):
        yield from _leaves(child, [*path, _edge(node, child, bit)], bit)


def _leaf_additions(value: float, path: list[tuple], goes_left: np.ndarray) -> dict:
    """Per feature on the path, the leaf's addition to it for each row of `goes_left`.

    A feature's one fraction is 1 when every edge on it is taken (the AND of its conditions);
    its zero fraction is the product of those edges' cover ratios.
    """
    features = list(dict.fromkeys(feature for _, _, feature, _ in path))
    slot = {feature: j for j, feature in enumerate(features)}
    one = np.ones((len(goes_left), len(features)), dtype=bool)
    zero = np.ones(len(features))
    for b, is_left, feature, ratio in path:
        one[:, slot[feature]] &= goes_left[:, b] == is_left
        zero[slot[feature]] *= ratio
    weights = _shapley(_binary(len(features)), zero)  # once per distinct one-fraction pattern
    pattern = one @ (1 << np.arange(len(features)))
    return {feature: value * weights[pattern, j] for j, feature in enumerate(features)}


def _binary(bits: int) -> np.ndarray:
    """Every combination of `bits` bits: row p holds p's bits, least significant first."""
    return (np.arange(1 << bits)[:, None] >> np.arange(bits) & 1).astype(float)


def _shapley(one: np.ndarray, zero: np.ndarray) -> np.ndarray:
    """Per row of one fractions `one` and path feature j, TreeSHAP's weight for one leaf:
    (o_j - z_j) * sum over subsets S of the other features of |S|!(k-|S|-1)!/k! * prod_S o *
    prod_(not S) z; those subset sums are the coefficients of prod_(i != j) (z_i + o_i t)."""
    patterns, k = one.shape
    weights = np.array([factorial(s) * factorial(k - s - 1) / factorial(k) for s in range(k)])
    result = np.empty((patterns, k))
    for j in range(k):
        coefficients = np.zeros((patterns, k))
        coefficients[:, 0] = 1.0
        for i in range(k):
            if i != j:
                coefficients[:, 1:] = (
                    zero[i] * coefficients[:, 1:] + one[:, i, None] * coefficients[:, :-1]
                )
                coefficients[:, 0] *= zero[i]
        result[:, j] = (coefficients @ weights) * (one[:, j] - zero[j])
    return result
