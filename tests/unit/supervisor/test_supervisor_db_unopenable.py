"""A data_dir that cannot hold supervisor.db (here: it is a file) is logged, and the gap record
and the login limiter keep their state in memory: supervision never stops for it (the gap
record raised an uncaught OSError there; found while adding the login store)."""
from __future__ import annotations

from services.supervisor.guardstore import GuardStore
from services.supervisor.loginstore import LoginStore


def test_a_data_dir_that_is_a_file_keeps_both_stores_in_memory(tmp_path, caplog):
    blocked = tmp_path / "data"
    blocked.write_text("not a folder")
    assert GuardStore(str(blocked)).db is None
    assert LoginStore(str(blocked)).db is None
    said = caplog.text
    assert "protection gaps are kept in memory only" in said, said
    assert "failed logins and login locks are kept in memory only" in said, said
