"""The IsolationForest: fitted with scikit-learn, saved as numbers, scored with numpy alike,
and a model file that is not a forest is refused, never executed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Dict

import numpy as np
import pytest
from sklearn.ensemble import IsolationForest

from rasa_secure.errors import ConfigError
from rasa_secure.monitoring.anomaly import FEATURES, Forest
from rasa_secure.monitoring.anomaly.forest import fit


@pytest.fixture(scope="module")
def data() -> np.ndarray:
    rng = np.random.default_rng(7)
    rows = rng.normal(size=(1500, len(FEATURES)))
    rows[:, 2] = rng.integers(0, 3, size=1500)  # a count-like column with ties
    return rows


@pytest.fixture(scope="module")
def forest(data: np.ndarray) -> Forest:
    return fit(data.tolist(), trees=50, max_samples=128, seed=3)


def test_our_scores_are_scikit_learns(data: np.ndarray, forest: Forest) -> None:
    # Why: the numpy walk replaces unpickling the estimator; it must score exactly alike.
    reference = IsolationForest(n_estimators=50, max_samples=128, random_state=3).fit(data)
    probes = np.vstack(
        [data[:20], np.random.default_rng(1).normal(scale=4, size=(30, len(FEATURES)))]
    )
    ours = [forest.score(row) for row in probes]
    assert np.allclose(ours, -reference.score_samples(probes), atol=1e-12)


def test_outliers_score_above_the_threshold_and_training_rows_mostly_below(
    data: np.ndarray, forest: Forest
) -> None:
    far = np.full(len(FEATURES), 25.0)
    assert forest.score(far) > forest.threshold
    below = np.mean([forest.score(row) < forest.threshold for row in data])
    assert below >= 0.99  # the threshold is the 0.999 quantile of the training scores


def test_a_saved_forest_loads_and_scores_alike(tmp_path: Path, forest: Forest) -> None:
    path = tmp_path / "model.json"
    forest.save(path)
    loaded = Forest.load(path)
    probe = np.linspace(-3, 3, len(FEATURES))
    assert loaded.score(probe) == forest.score(probe)


def _edit(change: Callable[[Dict[str, Any]], None]) -> Callable[[Dict[str, Any]], Dict[str, Any]]:
    def apply(data: Dict[str, Any]) -> Dict[str, Any]:
        change(data)
        return data

    return apply


BAD_FILES = [
    # (why, how the valid file is spoiled)
    ("another format", _edit(lambda d: d.update(format="pickle"))),
    ("other features", _edit(lambda d: d.update(features=d["features"][::-1]))),
    (
        "a child pointing back to its parent would loop",
        _edit(lambda d: d["trees"][0]["left"].__setitem__(0, 0)),
    ),
    ("a child out of the tree", _edit(lambda d: d["trees"][0]["right"].__setitem__(0, 10**6))),
    ("a split on no feature", _edit(lambda d: d["trees"][0]["feature"].__setitem__(0, 99))),
    ("arrays of different lengths", _edit(lambda d: d["trees"][0]["split"].pop())),
    ("a threshold that is no score", _edit(lambda d: d.update(threshold=7))),
    ("no trees", _edit(lambda d: d.update(trees=[]))),
]


@pytest.mark.parametrize(("why", "spoil"), BAD_FILES, ids=[case[0] for case in BAD_FILES])
def test_a_spoiled_model_file_is_refused(
    tmp_path: Path, forest: Forest, why: str, spoil: Callable[[Dict[str, Any]], Dict[str, Any]]
) -> None:
    path = tmp_path / "model.json"
    path.write_text(json.dumps(spoil(json.loads(json.dumps(forest.to_dict())))))
    with pytest.raises(ConfigError, match="not a valid model file"):
        Forest.load(path)


def test_a_pickle_is_not_a_model_file(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    path.write_bytes(b"\x80\x04\x95cos\nsystem\n(S'echo owned'\ntR.")
    with pytest.raises(ConfigError, match="not a valid model file"):
        Forest.load(path)


def test_fitting_needs_data() -> None:
    with pytest.raises(ConfigError, match="at least 10"):
        fit([[0.0] * len(FEATURES)] * 3)
