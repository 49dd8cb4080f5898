"""riskctl reads what it needs from a config riskd refused (issue 17 item 5), without riskd."""
from __future__ import annotations

import os

from cli import configfile
from cli.context import read_control_address

BROKEN = '''[paths]
data_dir = "state"

[bus]
control = "tcp://127.0.0.1:6123"

[profiles.default.rules.max_contracts]
limit = = 5
'''


def test_a_file_that_is_not_toml_still_gives_the_control_address_and_the_folders(tmp_path):
    path = tmp_path / "riskd.toml"
    path.write_text(BROKEN)
    assert read_control_address(str(path)) == "tcp://127.0.0.1:6123"
    data_dir, log_dir = configfile.folders(str(path))
    assert data_dir == os.path.join(str(tmp_path), "state")
    assert log_dir == os.path.join(data_dir, "logs")


def test_the_broken_line_alone_is_left_out():
    data = configfile.salvage(BROKEN)
    assert data["bus"]["control"] == "tcp://127.0.0.1:6123"
    assert "limit" not in data["profiles"]["default"]["rules"]["max_contracts"]
