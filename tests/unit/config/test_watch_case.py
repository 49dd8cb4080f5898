"""On Windows the watcher's file is found whatever the case of the path an event names."""
from __future__ import annotations

import ntpath
import os

from watchdog.events import FileModifiedEvent, FileMovedEvent

from shared.config import watch


def test_an_event_naming_the_config_in_another_case_is_the_config(tmp_path, monkeypatch):
    # Windows compares paths case-insensitively (and watchdog reports them as the OS or the
    # editor spelled them): os.path.normcase there is ntpath.normcase.
    monkeypatch.setattr(os.path, "normcase", ntpath.normcase)
    (tmp_path / "riskd.toml").write_text("a = 1\n")
    watcher = watch.ConfigWatcher(str(tmp_path / "riskd.toml"), debounce=0.0)
    handler = watch._Handler(watcher)
    handler.on_any_event(FileModifiedEvent(str(tmp_path / "other.toml")))
    assert watcher._last_event is None
    handler.on_any_event(FileMovedEvent(str(tmp_path / "x.tmp"), str(tmp_path / "RISKD.TOML")))
    assert watcher._last_event is not None
