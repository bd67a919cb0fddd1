"""An IsolationForest fitted with scikit-learn, saved as plain arrays, scored with numpy.

``rasa-secure anomaly fit`` fits :class:`sklearn.ensemble.IsolationForest` on the feature
vectors of normal traffic (:func:`fit`) and saves each tree's arrays (children, split
feature, threshold, samples per node) as JSON (:meth:`Forest.save`). Nothing is unpickled
when the model is loaded: :meth:`Forest.load` reads numbers, checks every index and that every
child comes after its parent (so a walk always ends), and :meth:`Forest.score` walks all trees
at once with numpy, giving the same score as scikit-learn's ``score_samples`` (negated: from
0 to 1, higher is more anomalous). scikit-learn is needed only to fit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Sequence, Union

import numpy as np
from numpy.typing import NDArray

from rasa_secure.errors import ConfigError
from rasa_secure.monitoring.anomaly.windows import FEATURES

FORMAT = "rasa_secure.isolation_forest/1"
EULER_GAMMA = 0.5772156649015329


def average_path_length(samples: Union[int, NDArray[Any]]) -> NDArray[np.float64]:
    """The average path length of an unsuccessful search in a binary tree of ``samples``
    (scikit-learn's ``_average_path_length``)."""
    n = np.asarray(samples, dtype=float)
    result = np.zeros_like(n)
    two = n == 2
    more = n > 2
    result[two] = 1.0
    result[more] = 2.0 * (np.log(n[more] - 1.0) + EULER_GAMMA) - 2.0 * (n[more] - 1.0) / n[more]
    return result


@dataclass(frozen=True)
class _Arrays:
    """All trees' nodes in flat arrays; a leaf points to itself (``split`` is infinite)."""

    child: NDArray[np.int64]
    """``child[2 * node + goes_left]``: the right child at even, the left at odd positions."""
    feature: NDArray[np.int64]
    split: NDArray[np.float64]
    bias: NDArray[np.float64]
    """Each node's depth plus the average path length of its samples."""
    roots: NDArray[np.int64]
    steps: int
    """The depth of the deepest leaf: the number of steps of a walk."""
    norm: float
    """The average path length of ``max_samples``."""


@dataclass(frozen=True)
class Forest:
    """A fitted forest: its trees as lists of numbers, compiled into flat arrays.

    Attributes:
        features: the feature names of the columns, in order.
        max_samples: the samples each tree was grown on.
        threshold: the score at which a vector counts as anomalous.
        trees: each tree's ``left``, ``right`` (child indices, ``-1`` at a leaf),
            ``feature`` (the column split on), ``split`` (``x <= split`` goes left) and
            ``samples`` (training samples that reached the node), as lists.
    """

    features: Sequence[str]
    max_samples: int
    threshold: float
    trees: Sequence[Dict[str, List[Any]]]

    _arrays: _Arrays = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._check()
        offsets = np.cumsum([0] + [len(tree["left"]) for tree in self.trees])
        left, right, feature, split, bias = [], [], [], [], []
        steps = 0
        for start, tree in zip(offsets, self.trees):
            size = len(tree["left"])
            depth = np.zeros(size)
            for node in range(size):  # children come after their parent (checked)
                if tree["left"][node] >= 0:
                    depth[tree["left"][node]] = depth[tree["right"][node]] = depth[node] + 1
            steps = max(steps, int(depth.max()))
            leaf = np.asarray(tree["left"]) < 0
            own = np.arange(size) + start
            left.append(np.where(leaf, own, np.asarray(tree["left"]) + start))
            right.append(np.where(leaf, own, np.asarray(tree["right"]) + start))
            feature.append(np.where(leaf, 0, tree["feature"]))
            split.append(np.where(leaf, np.inf, tree["split"]))
            bias.append(depth + average_path_length(np.asarray(tree["samples"])))
        child = np.empty(2 * int(offsets[-1]), dtype=np.int64)
        child[0::2], child[1::2] = np.concatenate(right), np.concatenate(left)
        arrays = _Arrays(
            child=child,
            feature=np.concatenate(feature),
            split=np.concatenate(split).astype(float),
            bias=np.concatenate(bias),
            roots=offsets[:-1],
            steps=steps,
            norm=float(average_path_length(self.max_samples)),
        )
        object.__setattr__(self, "_arrays", arrays)

    def _check(self) -> None:
        if list(self.features) != [feature.value for feature in FEATURES]:
            raise ValueError("the model was fitted on other features; fit it again")
        if not self.trees or self.max_samples < 1:
            raise ValueError("no trees")
        for number, tree in enumerate(self.trees):
            size = len(tree["left"])
            names = ("right", "feature", "split", "samples")
            if size == 0 or any(len(tree[name]) != size for name in names):
                raise ValueError(f"tree {number}: arrays of different lengths")
            for node in range(size):
                children = (tree["left"][node], tree["right"][node])
                if (children[0] < 0) != (children[1] < 0):
                    raise ValueError(f"tree {number}: node {node} has one child")
                if children[0] >= 0 and not all(node < c < size for c in children):
                    raise ValueError(f"tree {number}: node {node} points backwards or out")
                if not 0 <= tree["feature"][node] < len(FEATURES) and children[0] >= 0:
                    raise ValueError(f"tree {number}: node {node} splits on no feature")

    def score(self, values: Sequence[float]) -> float:
        """The anomaly score of one vector: ``2 ** (-mean path length / c(max_samples))``,
        from 0 to 1 (scikit-learn's ``-score_samples``)."""
        return self.score_many([values])[0]

    def score_many(self, rows: Sequence[Sequence[float]]) -> List[float]:
        """The anomaly scores of several vectors, walked together (one walk costs about as
        much as one vector's)."""
        arrays = self._arrays
        x = np.asarray(rows, dtype=float)
        which = np.arange(x.shape[0])[:, None]
        node = np.broadcast_to(arrays.roots, (x.shape[0], arrays.roots.shape[0]))
        for _ in range(arrays.steps):
            goes_left = x[which, arrays.feature[node]] <= arrays.split[node]
            node = arrays.child[2 * node + goes_left]
        depth = np.add.reduce(arrays.bias[node], axis=1) / arrays.roots.shape[0]
        return [float(value) for value in 2.0 ** (-depth / arrays.norm)]

    def to_dict(self) -> Dict[str, Any]:
        """The forest as JSON-ready values."""
        return {
            "format": FORMAT,
            "features": list(self.features),
            "max_samples": self.max_samples,
            "threshold": self.threshold,
            "trees": [dict(tree) for tree in self.trees],
        }

    def save(self, path: Union[str, Path]) -> None:
        """Write the forest as JSON."""
        Path(path).write_text(json.dumps(self.to_dict()), encoding="utf-8")

    @classmethod
    def from_dict(cls, data: Any) -> Forest:
        """Check and build a forest from :meth:`to_dict`'s values.

        Raises:
            ValueError: not such a forest, or fitted on other features.
        """
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"expected format {FORMAT}")
        trees: List[Dict[str, List[Any]]] = []
        for tree in data["trees"]:
            trees.append(
                {
                    "left": [int(v) for v in tree["left"]],
                    "right": [int(v) for v in tree["right"]],
                    "feature": [int(v) for v in tree["feature"]],
                    "split": [float(v) for v in tree["split"]],
                    "samples": [int(v) for v in tree["samples"]],
                }
            )
        threshold = float(data["threshold"])
        if not 0.0 < threshold <= 1.0:
            raise ValueError("the threshold is a score from 0 to 1")
        return cls([str(v) for v in data["features"]], int(data["max_samples"]), threshold, trees)

    @classmethod
    def load(cls, path: Union[str, Path]) -> Forest:
        """Read and check a forest written by :meth:`save`.

        Raises:
            ConfigError: the file is unreadable, not such a forest, or made for other features.
        """
        try:
            return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
        except OSError as error:
            raise ConfigError(str(path), f"cannot read it ({error.strerror})") from None
        except (ValueError, KeyError, TypeError, IndexError) as error:
            raise ConfigError(str(path), f"not a valid model file ({error})") from None


def fit(
    rows: Sequence[Sequence[float]],
    *,
    trees: int = 100,
    max_samples: int = 256,
    quantile: float = 0.999,
    seed: int = 0,
) -> Forest:
    """Fit an IsolationForest on ``rows`` (feature vectors of normal traffic).

    The threshold is the ``quantile`` of the training rows' scores: the share of normal
    windows that would fire is about ``1 - quantile``.

    Raises:
        ConfigError: fewer than 10 rows.
    """
    if len(rows) < 10:
        raise ConfigError("--events", f"{len(rows)} feature vectors; fitting needs at least 10")
    from sklearn.ensemble import IsolationForest

    data = np.asarray(rows, dtype=float)
    model = IsolationForest(
        n_estimators=trees, max_samples=min(max_samples, len(data)), random_state=seed
    )
    model.fit(data)
    exported: List[Dict[str, List[Any]]] = []
    for estimator, columns in zip(model.estimators_, model.estimators_features_):
        tree = estimator.tree_
        mapped = np.asarray(columns)[np.maximum(tree.feature, 0)]
        exported.append(
            {
                "left": tree.children_left.tolist(),
                "right": tree.children_right.tolist(),
                "feature": mapped.tolist(),
                "split": tree.threshold.tolist(),
                "samples": tree.n_node_samples.tolist(),
            }
        )
    threshold = float(np.quantile(-model.score_samples(data), quantile))
    names = [feature.value for feature in FEATURES]
    return Forest(names, int(model.max_samples_), min(1.0, threshold), exported)
