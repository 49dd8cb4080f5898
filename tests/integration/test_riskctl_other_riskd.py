"""riskctl run with one config never acts, unsaid, on the riskd of another config that answers
on its control port.

Fresh-user trial 15a (finding 2): two clones on one machine, both on the default ports. The
second clone's riskd did not start (its ports were taken), and from then on every riskctl
command run in that clone reached the FIRST clone's riskd: `status` named the other config in
its first line and warned of nothing, `lockouts` gave no sign at all, and `unlock`, `rules
set`, `shutdown`, `flatten` would have acted on the wrong desk.

Here riskd A runs from etc/riskd.toml's rules (tests/support/env.make_config) with only the
logging worker (the scenario is the supervisor's control socket); config B is the second
clone's: A's ports, its own data dir. B's riskd is started as the trial's was and is refused.
riskctl with B's config then warns on a read and refuses every state-changing command (before
any session is asked for, so none is given), and A is untouched. riskctl with A's config, with
a copy of A's config elsewhere naming A's data dir, and with a client config that names only
the [bus] addresses (winservice's) says nothing.
"""
from __future__ import annotations

import os
import time

import pytest
import tomlkit

from cli.main import main
from shared.config import load_config
from cli.watch.model import WatchState, build_screen
from cli.watch.source import Source, read_tables
from cli.watch.view import plain, render
from shared.showtime import zone_of_tables
from tests.support.env import make_config, wait_for

pytestmark = pytest.mark.slow

WARNING = "WARNING: the riskd answering at"


def riskctl(capsys, config: str, *args: str) -> tuple[int, str, str]:
    code = main(["--config", config, *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def with_data_dir(tmp_path, name: str, first: str, data_dir: str | None) -> str:
    """A's config as another file in its own folder: its data dir `data_dir` (None: no
    [paths] at all, only the [bus] addresses, as winservice's client config)."""
    data = tomlkit.parse(open(first, encoding="utf-8").read()).unwrap()
    if data_dir is None:
        data = {"bus": data["bus"]}
    else:
        data["paths"]["data_dir"] = data_dir
    folder = tmp_path / name
    folder.mkdir()
    path = folder / "riskd.toml"
    path.write_text(tomlkit.dumps(data))
    return str(path)


@pytest.mark.timeout(90)
def test_riskctl_of_another_config_warns_on_reads_and_refuses_changes(procs, tmp_path, capsys):
    first = make_config(tmp_path, workers=["logging"])
    a = procs.riskd(first)
    loaded = load_config(first)
    second = with_data_dir(tmp_path, "clone2", first, str(tmp_path / "clone2" / "var"))
    b = procs.riskd(second, wait_up=False)           # the second clone's `make run`
    assert b.wait(20) == 1, b.output()

    # a read runs, with the warning first, naming both configs and the way to the right one
    code, out, err = riskctl(capsys, second, "workers")
    assert code == 0, err
    assert "logging" in out
    assert err.startswith(f"riskctl: {WARNING} {loaded.config.bus.control} is NOT the riskd "
                          f"of the config riskctl read"), err
    assert f"it runs {loaded.path} (data dir {loaded.data_dir})" in err, err
    assert f"riskctl read {second} (data dir {tmp_path / 'clone2' / 'var'})" in err, err
    assert f"riskctl --config {loaded.path} ..." in err, err
    assert 'docs/operations.md, "Two riskd on one machine"' in err, err
    code, out, err = riskctl(capsys, second, "status")
    assert code == 0 and err.count(WARNING) == 1, err       # said once, at the top
    assert out.startswith("riskd supervisor pid"), out
    code, out, err = riskctl(capsys, second, "logs", "-n", "3")     # asks its own way
    assert err.startswith(f"riskctl: {WARNING}") and err.count(WARNING) == 1, err

    # every state-changing command is refused before anything is sent (no session is asked
    # for: none exists here), naming the command
    for args, said in ((["shutdown", "--yes", "--reason", "trial"], "riskctl shutdown"),
                       (["unlock", "1001", "--reason", "trial"], "riskctl unlock"),
                       (["rules", "set", "default", "daily_realized_loss", "limit", "-400", "--yes", "--reason", "trial"], "riskctl rules set"),
                       (["stop", "logging", "--yes", "--reason", "trial"], "riskctl stop"),
                       (["flatten", "1001", "--reason", "trial"], "riskctl flatten")):
        code, out, err = riskctl(capsys, second, *args)
        assert code == 1, (args, out, err)
        assert "refused, nothing was done: the riskd answering at" in err, (args, err)
        assert f"`{said}` would act on that other riskd" in err, (args, err)
        assert f"it runs {loaded.path}" in err and f"riskctl read {second}" in err, err
    assert a.popen.poll() is None                      # A still runs, its worker too
    code, out, err = riskctl(capsys, first, "workers")
    assert code == 0 and err == "", err
    assert "logging" in out and "running" in out, out

    # the same riskd through another file: a copy naming A's data dir, a client config
    # naming only the [bus] addresses: no word
    copy = with_data_dir(tmp_path, "copy", first, loaded.data_dir)
    client = with_data_dir(tmp_path, "client", first, None)
    for config in (copy, client):
        code, out, err = riskctl(capsys, config, "workers")
        assert code == 0 and WARNING not in err, (config, err)
    assert os.path.isdir(loaded.data_dir)

    # the live screen of B's config says it first among its warnings; A's says nothing
    text = watch_text(second)
    assert "NOT the riskd of the config you gave" in text, text
    squeezed = "".join(text.split())           # wrapped lines (at a path's hyphens, too)
    assert f"runs{loaded.path},not{second}" in squeezed, text
    assert "NOT the riskd" not in watch_text(first)


def watch_text(config: str) -> str:
    """`riskctl watch`'s screen (its source, model and view, as tests/integration/
    test_watch_without_supervisor.py reads it) once riskd's status has come."""
    bus, calendar = read_tables(config)
    source = Source(bus, config_path=config).start()
    state = WatchState()
    def status_came():
        for msg in source.drain():
            state.apply(msg)
        return state.workers
    try:
        wait_for(status_came, 10, interval=0.1, what="riskd's status on the screen")
        time.sleep(0.2)
        status_came()           # what the same snapshot brought after the status
    finally:
        source.stop()
    screen = build_screen(state, time.time_ns(), zone_of_tables({}), calendar)
    return plain(render(screen, 200, 60, unicode=False))
