"""A second riskd refused at its start (it was given the ports of one running) is told apart in
the running riskd's log (fresh-user trial17a section 10: "records from another riskd on this
machine were ignored ... riskd instance b17dab74ba1ac48a", no pid, no word of what it was,
while another user's riskd was being started on the default ports). Reproduced here: riskd A
runs; riskd B, a copy of A's config with its own data dir, is refused ("cannot bind"), and its
supervisor's lines reach A's logging intake. A's line names B's supervisor's pid and what it
said. Config: tests/support/env.make_config, only the logging worker (the one the story needs)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import tomlkit

from shared.config import load_config
from tests.support import env as support
from tests.support.env import REPO, make_config, wait_for

pytestmark = pytest.mark.slow

SAID = "records from another riskd on this machine were ignored: check its ports"


def test_a_refused_second_riskd_is_named_by_pid_and_its_words(procs, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    config = make_config(tmp_path / "a", workers=["logging"])
    procs.riskd(config)
    procs.wait_running(config, ["logging"], timeout=30)
    doc = tomlkit.parse(open(config).read())
    doc["paths"]["data_dir"] = str(tmp_path / "b" / "data")
    other = tmp_path / "b" / "riskd.toml"
    other.write_text(tomlkit.dumps(doc))
    refused = subprocess.run([sys.executable, "-m", "services.supervisor", "--config",
                              str(other)], cwd=REPO, env=support.test_env(), capture_output=True,
                             text=True, timeout=60)
    assert refused.returncode == 1, refused.stderr

    def said() -> list:
        path = os.path.join(load_config(config).log_dir, "system.log")
        with open(path, encoding="utf-8") as fh:
            return [json.loads(x)["message"] for x in fh if SAID in x]
    [line] = wait_for(said, 15, what="A's line about B's records")
    assert "(the first from its supervisor (pid " in line, line
    assert ', which said "riskd cannot start: cannot bind' in line, line
