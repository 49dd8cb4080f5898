"""Fresh-user trial: `make run` ran riskd on the tracked etc/riskd.toml, so `riskctl passwd admin
--offline`, `rules set` and the other edits wrote into it: `git status` showed it modified, a
later `git pull` conflicted, and the password hash sat in the working tree. `make run` and
riskctl from the repo folder use etc/riskd.local.toml now, an untracked copy made from
etc/riskd.toml on first use (shared/localconfig.py). A repo folder is stood in for by a
temporary folder holding the shipped etc/riskd.toml."""
from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess

import pytest

import dev
from cli.main import main
from shared import localconfig
from shared.config import load_config
from shared.config.access import check_password
from tests.support.env import REPO


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A checkout's etc/ as shipped, riskctl run from its folder with no config named."""
    (tmp_path / "etc").mkdir()
    shutil.copy(os.path.join(REPO, "etc", "riskd.toml"), tmp_path / "etc" / "riskd.toml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RISKD_CONFIG", raising=False)
    return tmp_path


def shipped_text() -> str:
    with open(os.path.join(REPO, "etc", "riskd.toml"), encoding="utf-8") as fh:
        return fh.read()


def test_an_offline_password_goes_into_the_local_copy_never_the_tracked_file(repo, monkeypatch,
                                                                            capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("a long secret 1\n"))
    assert main(["passwd", "admin", "--offline", "--password-stdin"]) == 0, \
        capsys.readouterr().err
    assert (repo / "etc" / "riskd.toml").read_text() == shipped_text()     # untouched
    local = repo / "etc" / "riskd.local.toml"
    assert check_password("a long secret 1",
                          load_config(str(local)).config.admin.password_hash)
    assert stat.S_IMODE(os.stat(local).st_mode) == 0o600       # it holds a password hash


def test_the_local_copy_is_made_once_and_an_edited_one_is_kept(repo):
    path = localconfig.ensure(".")
    assert path == localconfig.LOCAL
    assert (repo / path).read_text() == shipped_text()
    (repo / path).write_text(shipped_text() + "\n# mine\n")
    assert localconfig.ensure(".") == path
    assert (repo / path).read_text().endswith("# mine\n")
    assert [p.name for p in (repo / "etc").iterdir() if p.name.endswith(".tmp")] == []


def test_commands_that_need_no_config_make_no_copy(repo, capsys):
    main(["config", "validate", os.path.join(REPO, "etc", "riskd.toml")])
    assert not (repo / "etc" / "riskd.local.toml").exists()


def test_make_run_starts_riskd_on_the_local_copy(repo, monkeypatch, capsys):
    started = []
    monkeypatch.setattr(dev, "REPO", str(repo))
    monkeypatch.setattr(dev, "install", lambda: 0)
    monkeypatch.setattr(dev, "run_riskd", lambda cmd: started.append(cmd) or 0)
    assert dev.main(["run"]) == 0
    assert started[0][-2:] == ["--config", os.path.join("etc", "riskd.local.toml")]
    assert (repo / "etc" / "riskd.local.toml").read_text() == shipped_text()
    assert "riskd runs on etc/riskd.local.toml, your copy of etc/riskd.toml" in \
        capsys.readouterr().err
    assert dev.main(["run"]) == 0                      # said once, when the copy is made
    assert "your copy" not in capsys.readouterr().err


def test_git_ignores_the_local_copy():
    if shutil.which("git") is not None and os.path.exists(os.path.join(REPO, ".git")):
        done = subprocess.run(["git", "check-ignore", "-q", "etc/riskd.local.toml"], cwd=REPO,
                              timeout=30)
        assert done.returncode == 0
    else:                          # a source tree without git: .gitignore names it itself
        with open(os.path.join(REPO, ".gitignore"), encoding="utf-8") as f:
            assert "etc/riskd.local.toml" in {line.strip().lstrip("/") for line in f}
