"""The training cache: a model is reused exactly while its inputs are unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path

from example_bot.training import BOT_DIR, fingerprint


def _copy_bot(tmp_path: Path) -> Path:
    bot = tmp_path / "bot"
    shutil.copytree(BOT_DIR / "data", bot / "data")
    for name in ("config.yml", "domain.yml"):
        shutil.copy(BOT_DIR / name, bot / name)
    return bot


def test_fingerprint_is_stable_for_unchanged_inputs(tmp_path: Path) -> None:
    """Two looks at the same files give the same fingerprint (the cache hits)."""
    bot = _copy_bot(tmp_path)
    assert fingerprint(bot) == fingerprint(bot)


def test_fingerprint_changes_with_data_config_or_domain(tmp_path: Path) -> None:
    """Editing any input makes a new fingerprint, so a stale model is never served."""
    bot = _copy_bot(tmp_path)
    seen = {fingerprint(bot)}
    for relative in ("data/nlu.yml", "config.yml", "domain.yml"):
        path = bot / relative
        path.write_text(path.read_text() + "\n# changed\n")
        seen.add(fingerprint(bot))
    assert len(seen) == 4
