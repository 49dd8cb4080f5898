"""Each backup says which edit it is the file before, and a restore says what it changes by
key, also over a file that does not read (fresh-user trial 15c, finding 3: "(the whole
file)"). shared/config/edit.py and shared/config/lastrun.py on a copy of etc/riskd.toml."""
from __future__ import annotations

import shutil

from shared.config import lastrun
from shared.config.edit import list_backups, restore_backup, set_config_value

from tests.support.env import SHIPPED_CONFIG


def test_notes_and_a_restore_over_a_broken_file(tmp_path):
    path = str(tmp_path / "riskd.toml")
    shutil.copy(SHIPPED_CONFIG, path)
    backups = str(tmp_path / "backups")
    set_config_value(path, "broker.api_key", "'k-123'", backups)
    set_config_value(path, "logging.level", "DEBUG", backups)
    notes = [b.note for b in list_backups(path, backups)]
    assert notes == ["the file before the edit of logging.level",
                     "the file before the edit of broker.api_key"], notes
    ran = open(path).read()
    with open(path, "a") as fh:
        fh.write("\n[broken\n")
    first = list_backups(path, backups)[-1].stamp        # before the key's edit
    # no copy of a config riskd ran: said, not "(the whole file)"
    done = restore_backup(path, first, backups)
    assert done.changes[0].startswith("(the file it replaced did not read: "), done.changes
    assert "riskd kept no copy of a config it ran" in done.changes[0]
    assert list_backups(path, backups)[0].note.startswith(
        "the file before an edit that replaced it whole")
    # with riskd's copy: by key against it, the secret named, never shown
    lastrun.write(path, backups, ran)
    with open(path, "a") as fh:
        fh.write("\n[broken\n")
    done = restore_backup(path, first, backups)
    assert done.changes[0].endswith("compared with the config riskd last ran instead)")
    assert "broker.api_key: secret removed" in done.changes
    assert "logging.level: \"DEBUG\" -> \"INFO\"" in done.changes or any(
        c.startswith("logging.level: ") for c in done.changes), done.changes
    assert not any("k-123" in c for c in done.changes)
    back = restore_backup(path, lastrun.STAMP, backups)
    assert "broker.api_key: secret set" in back.changes and open(path).read() == ran
