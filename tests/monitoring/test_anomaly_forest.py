"""The IsolationForests: one per kind of key, fitted with scikit-learn, saved as numbers,
scored with numpy alike, with a threshold per kind calibrated on keys and an envelope; a model
file that is not such a model is refused, never executed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Dict, List

import numpy as np
import pytest
from sklearn.ensemble import IsolationForest

from rasa_secure.errors import ConfigError
from rasa_secure.monitoring.anomaly import FEATURES, Features, Forest, Signal, SignalKind
from rasa_secure.monitoring.anomaly.forest import (
    ENVELOPE_MARGIN,
    FORMAT,
    fit,
    key_maxima,
    training_windows,
)
from rasa_secure.monitoring.anomaly.settings import Per

PREFIX = {Per.SUBJECT: "sub_", Per.CLIENT: "cli_"}


def _rows(seed: int, loc: float, size: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rows = np.abs(rng.normal(loc=loc, size=(size, len(FEATURES))))
    rows[:, 2] = rng.integers(0, 3, size=size)  # a count-like column with ties
    rows[:, 3] = 0.0  # a feature never seen in training
    return rows


@pytest.fixture(scope="module")
def data() -> Dict[Per, np.ndarray]:
    # subjects and client addresses from different distributions, 5 windows per key
    return {Per.SUBJECT: _rows(7, 1.0, 1500), Per.CLIENT: _rows(8, 3.0, 1000)}


def _windows(rows: np.ndarray, per: Per) -> List[Features]:
    return [Features(f"{PREFIX[per]}{n // 5:016x}", tuple(row)) for n, row in enumerate(rows)]


@pytest.fixture(scope="module")
def forest(data: Dict[Per, np.ndarray]) -> Forest:
    windows = _windows(data[Per.SUBJECT], Per.SUBJECT) + _windows(data[Per.CLIENT], Per.CLIENT)
    return fit(windows, trees=50, max_samples=128, seed=3)


def _reference(rows: np.ndarray) -> IsolationForest:
    return IsolationForest(n_estimators=50, max_samples=128, random_state=3).fit(rows)


def test_each_kind_scores_as_scikit_learn_fitted_on_that_kind(
    data: Dict[Per, np.ndarray], forest: Forest
) -> None:
    # Why: the numpy walk replaces unpickling the estimators; windows of both kinds walked
    # together must each score exactly as scikit-learn's forest of their own kind.
    rng = np.random.default_rng(1)
    probes = {per: np.vstack([rows[:20], rng.uniform(0, 4, size=(30, len(FEATURES)))])
              for per, rows in data.items()}  # fmt: skip
    for probe in probes.values():
        probe[:, 3] = 0.0  # within the envelope
    mixed = [w for pair in zip(*(_windows(p, per) for per, p in probes.items())) for w in pair]
    ours = np.asarray(forest.score_many(mixed), dtype=float)
    for offset, (per, probe) in enumerate(probes.items()):
        expected = -_reference(data[per]).score_samples(probe)
        assert np.allclose(ours[offset::2], expected, atol=1e-12), per


def test_each_kinds_threshold_is_the_quantile_of_its_training_keys_highest_scores(
    data: Dict[Per, np.ndarray], forest: Forest
) -> None:
    # Why: the monitor alerts per key; a threshold calibrated per row lets far more than
    # 1 - quantile of normal keys fire (a key has many windows).
    for per, rows in data.items():
        keys = [window.key for window in _windows(rows, per)]
        highest = key_maxima(keys, -_reference(rows).score_samples(rows))
        assert forest.thresholds[per] == pytest.approx(np.quantile(highest, 0.999))


ENVELOPE_CASES = [
    # (why, column, value relative to the training maximum, beyond the envelope)
    ("a value the training showed", 0, 1.0, False),
    ("just inside the envelope", 0, ENVELOPE_MARGIN * 0.99, False),
    ("beyond the envelope: the forest scores it like the largest", 0, ENVELOPE_MARGIN * 1.5, True),
    ("a feature always zero in training, now not", 3, None, True),
]  # fmt: skip


@pytest.mark.parametrize(("why", "column", "times", "beyond"), ENVELOPE_CASES,
                         ids=[case[0] for case in ENVELOPE_CASES])  # fmt: skip
def test_a_window_beyond_its_kinds_envelope_scores_one(
    data: Dict[Per, np.ndarray], forest: Forest, why: str, column: int, times: Any, beyond: bool
) -> None:
    for per, rows in data.items():
        values = np.median(rows, axis=0)
        values[column] = 1.0 if times is None else times * rows[:, column].max()
        score = forest.score(Features(f"{PREFIX[per]}{0:016x}", tuple(values)))
        assert (score == 1.0) is beyond, per


def test_windows_of_a_kind_without_a_forest_are_not_scored(data: Dict[Per, np.ndarray]) -> None:
    # Why: a kind with too few training windows gets no forest; its windows are not scored
    # with another kind's forest.
    only = fit(_windows(data[Per.SUBJECT], Per.SUBJECT), trees=10, max_samples=64)
    assert set(only.thresholds) == {Per.SUBJECT}
    row = tuple(data[Per.SUBJECT][0])
    scores = only.score_many([Features("cli_" + "0" * 16, row), Features("sub_" + "0" * 16, row)])
    assert scores[0] is None and scores[1] is not None
    assert only.score(Features("unknown", row)) is None


def test_training_windows_are_the_monitors_windows_per_key() -> None:
    signals = [Signal(SignalKind.MESSAGE, "sub_a", "cli_b", at=float(at), length=10 * at)
               for at in (3, 1, 2)]  # fmt: skip
    windows = training_windows(signals, 600)
    assert [window.key for window in windows] == ["sub_a", "cli_b"] * 3
    assert [window.values[0] for window in windows] == [1, 1, 2, 2, 3, 3]  # sorted by time


def test_a_saved_forest_loads_and_scores_alike(tmp_path: Path, forest: Forest) -> None:
    path = tmp_path / "model.json"
    forest.save(path)
    loaded = Forest.load(path)
    probes = [Features(f"{prefix}{0:016x}", tuple(np.linspace(0, 3, len(FEATURES))))
              for prefix in PREFIX.values()]  # fmt: skip
    assert loaded.score_many(probes) == forest.score_many(probes)
    assert loaded.thresholds == forest.thresholds


def _edit(change: Callable[[Dict[str, Any]], None]) -> Callable[[Dict[str, Any]], Dict[str, Any]]:
    def apply(data: Dict[str, Any]) -> Dict[str, Any]:
        change(data)
        return data

    return apply


def _tree(data: Dict[str, Any]) -> Dict[str, Any]:
    tree: Dict[str, Any] = data["kinds"]["subject"]["trees"][0]
    return tree


BAD_FILES = [
    # (why, how the valid file is spoiled)
    ("another format", _edit(lambda d: d.update(format="pickle"))),
    ("the format of one forest for all keys",
     _edit(lambda d: d.update(format="rasa_secure.isolation_forest/1"))),
    ("other features", _edit(lambda d: d.update(features=d["features"][::-1]))),
    ("a child pointing back to its parent would loop",
     _edit(lambda d: _tree(d)["left"].__setitem__(0, 0))),
    ("a child out of the tree", _edit(lambda d: _tree(d)["right"].__setitem__(0, 10**6))),
    ("a split on no feature", _edit(lambda d: _tree(d)["feature"].__setitem__(0, 99))),
    ("arrays of different lengths", _edit(lambda d: _tree(d)["samples"].pop())),
    ("a threshold that is no score", _edit(lambda d: d["kinds"]["client"].update(threshold=7))),
    ("no trees", _edit(lambda d: d["kinds"]["client"].update(trees=[]))),
    ("no kind of key", _edit(lambda d: d.update(kinds={}))),
    ("a kind the monitor has not", _edit(lambda d: d["kinds"].update(robot=d["kinds"]["client"]))),
    ("kinds with different numbers of trees (one walk for both)",
     _edit(lambda d: d["kinds"]["client"]["trees"].pop())),
    ("an envelope for other features", _edit(lambda d: d["kinds"]["subject"]["envelope"].pop())),
    ("an envelope that lets everything in",
     _edit(lambda d: d["kinds"]["subject"]["envelope"].__setitem__(0, float("inf")))),
    ("an envelope that is no number",
     _edit(lambda d: d["kinds"]["subject"]["envelope"].__setitem__(0, float("nan")))),
]  # fmt: skip


@pytest.mark.parametrize(("why", "spoil"), BAD_FILES, ids=[case[0] for case in BAD_FILES])
def test_a_spoiled_model_file_is_refused(
    tmp_path: Path, forest: Forest, why: str, spoil: Callable[[Dict[str, Any]], Dict[str, Any]]
) -> None:
    path = tmp_path / "model.json"
    path.write_text(json.dumps(spoil(json.loads(json.dumps(forest.to_dict())))))
    with pytest.raises(ConfigError, match="not a valid model file"):
        Forest.load(path)


def test_the_valid_file_the_spoiled_ones_come_from_loads(tmp_path: Path, forest: Forest) -> None:
    path = tmp_path / "model.json"
    path.write_text(json.dumps(forest.to_dict()))
    assert Forest.load(path).to_dict()["format"] == FORMAT


def test_a_pickle_is_not_a_model_file(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    path.write_bytes(b"\x80\x04\x95cos\nsystem\n(S'echo owned'\ntR.")
    with pytest.raises(ConfigError, match="not a valid model file"):
        Forest.load(path)


def test_fitting_needs_data() -> None:
    few = [Features(f"sub_{n}", (0.0,) * len(FEATURES)) for n in range(3)]
    with pytest.raises(ConfigError, match="at least 10"):
        fit(few + [Features(f"cli_{n}", (0.0,) * len(FEATURES)) for n in range(9)])
