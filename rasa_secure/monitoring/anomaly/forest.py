"""IsolationForests fitted with scikit-learn, saved as plain arrays, scored with numpy.

``rasa-secure anomaly fit`` replays normal traffic through the windows
(:func:`training_windows`) and fits one :class:`sklearn.ensemble.IsolationForest` per kind of
key (:func:`fit`): one on the windows of subjects, one on those of client addresses, whose
traffic differs (an address behind NAT carries many customers). Each kind's threshold is
calibrated per key, as the monitor alerts: the ``quantile`` of the training keys' highest
scores, so about ``1 - quantile`` of normal keys ever reach it. An IsolationForest cannot see
beyond its training range (a feature always zero is never split on; a value past the largest
scores like the largest), so each kind also keeps an envelope: :data:`ENVELOPE_MARGIN` times
the largest value of each feature in training. A window beyond it scores 1, the most
anomalous.

:meth:`Forest.save` writes each tree's arrays (children, split feature, threshold, samples per
node) as JSON. Nothing is unpickled when the model is loaded: :meth:`Forest.load` reads
numbers, checks every index and that every child comes after its parent (so a walk always
ends), and :meth:`Forest.score_many` walks the trees of both kinds at once with numpy (each
window through its own kind's trees), giving the same score as scikit-learn's
``score_samples`` (negated: from 0 to 1, higher is more anomalous). scikit-learn is needed
only to fit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
from numpy.typing import NDArray

from rasa_secure.errors import ConfigError
from rasa_secure.monitoring.anomaly.settings import Per
from rasa_secure.monitoring.anomaly.signals import Signal
from rasa_secure.monitoring.anomaly.windows import FEATURES, Features, MemoryWindows

FORMAT = "rasa_secure.isolation_forest/2"
EULER_GAMMA = 0.5772156649015329
MIN_WINDOWS = 10
"""A kind of key with fewer training windows gets no forest (its windows are not scored)."""
ENVELOPE_MARGIN = 2.0
"""The envelope is this many times the largest training value of each feature. With half the
training keys as the envelope and the other half as new normal keys (the simulated traffic of
``benchmarks/traffic_sim.py``), 1.5 times still let about 0.1 % of keys through for client
addresses, twice none."""

Tree = Dict[str, List[Any]]


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
class Trees:
    """The forest of one kind of key.

    Attributes:
        max_samples: the samples each tree was grown on.
        threshold: the score at which a window of this kind counts as anomalous.
        envelope: per feature, the largest value a window may have; one beyond any scores 1.
        trees: each tree's ``left``, ``right`` (child indices, ``-1`` at a leaf),
            ``feature`` (the column split on), ``split`` (``x <= split`` goes left) and
            ``samples`` (training samples that reached the node), as lists.
    """

    max_samples: int
    threshold: float
    envelope: Sequence[float]
    trees: Sequence[Tree]


@dataclass(frozen=True)
class _Arrays:
    """All kinds' trees' nodes in flat arrays; a leaf points to itself (``split`` infinite)."""

    child: NDArray[np.int64]
    """``child[2 * node + goes_left]``: the right child at even, the left at odd positions."""
    feature: NDArray[np.int64]
    split: NDArray[np.float64]
    bias: NDArray[np.float64]
    """Each node's depth plus the average path length of its samples."""
    roots: NDArray[np.int64]
    """``roots[kind]``: the root of each of that kind's trees (one row per kind)."""
    norm: NDArray[np.float64]
    """``norm[kind]``: the average path length of that kind's ``max_samples``."""
    envelope: NDArray[np.float64]
    """``envelope[kind]``: that kind's envelope (one row per kind)."""
    index: Dict[Optional[Per], int]
    """The row of each fitted kind in ``roots``, ``norm`` and ``envelope`` (``None``, the kind
    of a key that is neither, is never in it)."""
    steps: int
    """The depth of the deepest leaf: the number of steps of a walk."""


@dataclass(frozen=True)
class Forest:
    """A fitted model: a forest per kind of key, compiled into flat arrays.

    Attributes:
        features: the feature names of the columns, in order.
        kinds: the forest of each fitted kind (subjects, client addresses); the windows of a
            kind that is missing are not scored.
    """

    features: Sequence[str]
    kinds: Mapping[Per, Trees]

    _arrays: _Arrays = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._check()
        every = [tree for trees in self.kinds.values() for tree in trees.trees]
        offsets = np.cumsum([0] + [len(tree["left"]) for tree in every])
        left, right, feature, split, bias = [], [], [], [], []
        steps = 0
        for start, tree in zip(offsets, every):
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
            roots=offsets[:-1].reshape(len(self.kinds), -1),
            envelope=np.asarray([t.envelope for t in self.kinds.values()], dtype=float),
            norm=average_path_length(np.asarray([t.max_samples for t in self.kinds.values()])),
            index={per: row for row, per in enumerate(self.kinds)},
            steps=steps,
        )
        object.__setattr__(self, "_arrays", arrays)

    def _check(self) -> None:
        if list(self.features) != [feature.value for feature in FEATURES]:
            raise ValueError("the model was fitted on other features; fit it again")
        if not self.kinds:
            raise ValueError("no kind of key")
        if len({len(trees.trees) for trees in self.kinds.values()}) != 1:
            raise ValueError("the kinds have different numbers of trees")
        for per, trees in self.kinds.items():
            if not trees.trees or trees.max_samples < 1:
                raise ValueError(f"{per.value}: no trees")
            if not 0.0 < trees.threshold <= 1.0:
                raise ValueError(f"{per.value}: the threshold is a score from 0 to 1")
            if len(trees.envelope) != len(FEATURES) or not all(
                0.0 <= value < np.inf for value in trees.envelope
            ):
                raise ValueError(f"{per.value}: the envelope is a limit >= 0 per feature")
            for number, tree in enumerate(trees.trees):
                _check_tree(tree, f"{per.value} tree {number}")

    @property
    def thresholds(self) -> Dict[Per, float]:
        """The threshold of each fitted kind."""
        return {per: trees.threshold for per, trees in self.kinds.items()}

    def score(self, window: Features) -> Optional[float]:
        """The anomaly score of one window: ``2 ** (-mean path length / c(max_samples))`` in
        its kind's forest, from 0 to 1 (scikit-learn's ``-score_samples``), or 1 beyond its
        kind's envelope; ``None`` for a kind without a forest."""
        return self.score_many([window])[0]

    def score_many(self, windows: Sequence[Features]) -> List[Optional[float]]:
        """The anomaly scores of several windows, each in its kind's forest, walked together
        (one walk costs about as much as one window's)."""
        arrays = self._arrays
        kinds = [arrays.index.get(Per.of(window.key), -1) for window in windows]
        scored = [number for number, kind in enumerate(kinds) if kind >= 0]
        found: List[Optional[float]] = [None] * len(windows)
        if not scored:
            return found
        x = np.asarray([windows[number].values for number in scored], dtype=float)
        kind = np.asarray([kinds[number] for number in scored])
        which = np.arange(x.shape[0])[:, None]
        node = arrays.roots.take(kind, axis=0)
        for _ in range(arrays.steps):
            goes_left = x[which, arrays.feature[node]] <= arrays.split[node]
            node = arrays.child[2 * node + goes_left]
        depth = np.add.reduce(arrays.bias[node], axis=1) / arrays.roots.shape[1]
        scores = np.exp2(-depth / arrays.norm.take(kind))
        scores[np.logical_or.reduce(x > arrays.envelope.take(kind, axis=0), axis=1)] = 1.0
        for number, value in zip(scored, scores.tolist()):
            found[number] = value
        return found

    def to_dict(self) -> Dict[str, Any]:
        """The model as JSON-ready values."""
        return {
            "format": FORMAT,
            "features": list(self.features),
            "kinds": {
                per.value: {
                    "max_samples": trees.max_samples,
                    "threshold": trees.threshold,
                    "envelope": list(trees.envelope),
                    "trees": [dict(tree) for tree in trees.trees],
                }
                for per, trees in self.kinds.items()
            },
        }

    def save(self, path: Union[str, Path]) -> None:
        """Write the model as JSON."""
        Path(path).write_text(json.dumps(self.to_dict()), encoding="utf-8")

    @classmethod
    def from_dict(cls, data: Any) -> Forest:
        """Check and build a model from :meth:`to_dict`'s values.

        Raises:
            ValueError: not such a model, or fitted on other features.
        """
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"expected format {FORMAT}")
        kinds = {
            Per(name): Trees(
                int(spec["max_samples"]),
                float(spec["threshold"]),
                [float(value) for value in spec["envelope"]],
                [_read_tree(tree) for tree in spec["trees"]],
            )
            for name, spec in dict(data["kinds"]).items()
        }
        return cls([str(v) for v in data["features"]], kinds)

    @classmethod
    def load(cls, path: Union[str, Path]) -> Forest:
        """Read and check a model written by :meth:`save`.

        Raises:
            ConfigError: the file is unreadable, not such a model, or made for other features.
        """
        try:
            return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
        except OSError as error:
            raise ConfigError(str(path), f"cannot read it ({error.strerror})") from None
        except (ValueError, KeyError, TypeError, IndexError) as error:
            raise ConfigError(str(path), f"not a valid model file ({error})") from None


def _read_tree(tree: Any) -> Tree:
    integers = ("left", "right", "feature", "samples")
    found: Tree = {name: [int(v) for v in tree[name]] for name in integers}
    found["split"] = [float(v) for v in tree["split"]]
    return found


def _check_tree(tree: Tree, name: str) -> None:
    size = len(tree["left"])
    parts = ("right", "feature", "split", "samples")
    if size == 0 or any(len(tree[part]) != size for part in parts):
        raise ValueError(f"{name}: arrays of different lengths")
    for node in range(size):
        children = (tree["left"][node], tree["right"][node])
        if (children[0] < 0) != (children[1] < 0):
            raise ValueError(f"{name}: node {node} has one child")
        if children[0] >= 0 and not all(node < c < size for c in children):
            raise ValueError(f"{name}: node {node} points backwards or out")
        if not 0 <= tree["feature"][node] < len(FEATURES) and children[0] >= 0:
            raise ValueError(f"{name}: node {node} splits on no feature")


def training_windows(signals: Sequence[Signal], window_seconds: float) -> List[Features]:
    """The windows a monitor computes for ``signals`` (sorted by time here), one per key and
    signal: what a model is fitted on."""
    windows = MemoryWindows(window_seconds)
    found: List[Features] = []
    for signal in sorted(signals, key=lambda item: item.at):
        found.extend(windows.add(signal).values())
    return found


def grow(
    rows: NDArray[np.float64], *, trees: int, max_samples: int, seed: int
) -> Tuple[Trees, NDArray[np.float64]]:
    """Fit one IsolationForest on ``rows``: its trees and envelope (threshold 1), and the
    rows' scores in the forest."""
    from sklearn.ensemble import IsolationForest

    model = IsolationForest(
        n_estimators=trees, max_samples=min(max_samples, len(rows)), random_state=seed
    )
    model.fit(rows)
    exported: List[Tree] = []
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
    envelope = (ENVELOPE_MARGIN * rows.max(axis=0)).tolist()
    return Trees(int(model.max_samples_), 1.0, envelope, exported), -model.score_samples(rows)


def key_maxima(keys: Sequence[str], scores: NDArray[np.float64]) -> NDArray[np.float64]:
    """Each key's highest score (the keys in order of first appearance)."""
    highest: Dict[str, float] = {}
    for key, score in zip(keys, scores.tolist()):
        highest[key] = max(score, highest.get(key, score))
    return np.asarray(list(highest.values()))


def fit(
    windows: Sequence[Features],
    *,
    trees: int = 100,
    max_samples: int = 256,
    quantile: float = 0.999,
    seed: int = 0,
) -> Forest:
    """Fit a forest per kind of key on ``windows`` (of normal traffic).

    A kind with fewer than :data:`MIN_WINDOWS` windows is left out. Its threshold is the
    ``quantile`` of its keys' highest training scores (in the forest: the envelope lets every
    training window in): about ``1 - quantile`` of normal keys would ever fire.

    Raises:
        ConfigError: no kind has enough windows.
    """
    kinds: Dict[Per, Trees] = {}
    for per in Per:
        mine = [window for window in windows if Per.of(window.key) is per]
        if len(mine) < MIN_WINDOWS:
            continue
        rows = np.asarray([window.values for window in mine], dtype=float)
        grown, scores = grow(rows, trees=trees, max_samples=max_samples, seed=seed)
        highest = key_maxima([window.key for window in mine], scores)
        threshold = min(1.0, float(np.quantile(highest, quantile)))
        kinds[per] = replace(grown, threshold=threshold)
    if not kinds:
        raise ConfigError(
            "--events",
            f"{len(windows)} windows; fitting needs at least {MIN_WINDOWS} of subjects or of "
            "client addresses",
        )
    return Forest([feature.value for feature in FEATURES], kinds)
