"""Train the example bot once per change of its inputs.

The model is named after a fingerprint of everything that shapes it: the bot's config,
domain and data, and the source of rasa_secure itself (its components run during training).
An unchanged bot reuses the model it already has; a file lock keeps concurrent callers
(the demo and a test session) from training the same model twice.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterable, Optional

import rasa_secure

BOT_DIR = Path(__file__).resolve().parent
MODELS_DIR = BOT_DIR / "models"
_PACKAGE_DIR = Path(rasa_secure.__file__).resolve().parent
_MODEL_INPUT_SUFFIXES = {".py", ".yml", ".yaml", ".json", ".npz"}


class TrainingFailed(RuntimeError):
    """``rasa train`` exited with an error; the message points at its log."""


def _inputs(bot_dir: Path, config: Path) -> Iterable[Path]:
    yield config
    yield bot_dir / "domain.yml"
    yield from sorted((bot_dir / "data").rglob("*.yml"))
    yield from sorted(
        path
        for path in _PACKAGE_DIR.rglob("*")
        if path.suffix in _MODEL_INPUT_SUFFIXES and "__pycache__" not in path.parts
    )


def fingerprint(bot_dir: Path = BOT_DIR, config: Optional[Path] = None) -> str:
    """A short hash of every input that shapes the trained model."""
    digest = hashlib.sha256()
    for path in _inputs(bot_dir, config or bot_dir / "config.yml"):
        digest.update(str(path.relative_to(path.anchor)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def ensure_model(
    bot_dir: Path = BOT_DIR,
    models_dir: Path = MODELS_DIR,
    config: Optional[Path] = None,
) -> Path:
    """The trained model for the bot's current inputs, training it if there is none yet."""
    config = config or bot_dir / "config.yml"
    name = fingerprint(bot_dir, config)
    models_dir.mkdir(parents=True, exist_ok=True)
    model = models_dir / f"{name}.tar.gz"
    with open(models_dir / ".train.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if model.exists():
            return model
        log = models_dir / f"{name}.train.log"
        command = [
            sys.executable, "-m", "rasa", "train",
            "--config", str(config),
            "--domain", str(bot_dir / "domain.yml"),
            "--data", str(bot_dir / "data"),
            "--out", str(models_dir),
            "--fixed-model-name", name,
        ]  # fmt: skip
        with open(log, "wb") as output:
            status = subprocess.call(  # noqa: S603 - fixed argv, no shell
                command, cwd=bot_dir, stdout=output, stderr=subprocess.STDOUT, env=_env()
            )
        if status != 0 or not model.exists():
            raise TrainingFailed(f"rasa train failed with status {status}; see {log}")
        return model


def _env() -> Dict[str, str]:
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env
