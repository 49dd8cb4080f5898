"""The last good config snapshot: owner-only, atomic, read by workers as if it were the file."""
from __future__ import annotations

import os
import stat

import pytest

from services.supervisor import snapshot
from shared.config import ConfigError, load_config
from tests.support.env import make_config


def test_the_snapshot_is_owner_only_and_loads_as_the_config_file_it_copies(tmp_path):
    config = make_config(tmp_path)
    good = load_config(config)
    path = snapshot.write(str(tmp_path / "run"), good.text)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with open(config, "a", encoding="utf-8") as fh:
        fh.write("\n[broken\n")
    with pytest.raises(ConfigError):
        load_config(config)
    loaded = load_config(config, text_from=path)
    assert loaded.path == good.path and loaded.data_dir == good.data_dir   # resolved as the file
    assert loaded.digest == good.digest and loaded.config == good.config
    assert good.text not in repr(good)                                     # secrets stay out


def test_a_snapshot_that_cannot_be_written_removes_the_older_one(tmp_path):
    """Workers must never start on a config older than riskd's: no snapshot, they read the
    file itself."""
    folder = tmp_path / "run"
    assert snapshot.write(str(folder), "old = 1\n")
    (folder / (snapshot.NAME + ".tmp")).mkdir()      # the new text cannot be written
    assert snapshot.write(str(folder), "new = 2\n") is None
    assert not (folder / snapshot.NAME).exists()
