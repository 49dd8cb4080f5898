"""Which restart a restart-only setting needs (shared/config/restartwho.py), and the running
sections a worker takes from its supervisor (shared/config/pinned.py).

Fresh-user trial 15b: a [bus] edit answered "applied live; needs a restart to take effect:
bus" and a worker restart then put risk on the new address, out of the supervisor's sight;
a broker.api_key edit named no worker ("broker" is a table), and every later edit repeated it.
On etc/riskd.toml as shipped (the sim broker), one setting changed per case.
"""
import os

import attrs

from shared.config import load_config, pinned, restartwho
from shared.worker import load_or_exit
from tests.support.env import SHIPPED_CONFIG, make_config


def shipped():
    return load_config(SHIPPED_CONFIG).config


def with_broker(config, **changes):
    return attrs.evolve(config, broker=attrs.evolve(config.broker, **changes))


def test_each_restart_only_setting_names_the_processes_that_read_it():
    old = shipped()
    sim = old.broker.sim
    cases = {
        "bus.risk_control": attrs.evolve(old, bus=attrs.evolve(
            old.bus, risk_control="tcp://127.0.0.1:5999")),
        "supervisor.startup_timeout": attrs.evolve(old, supervisor=attrs.evolve(
            old.supervisor, startup_timeout=20.0)),
        "broker.api_key": with_broker(old, api_key="topsecretkey123"),
        "broker.stale_after": with_broker(old, stale_after=30.0),
        "broker.timeout": with_broker(old, timeout=20.0),
        "broker.sim.seed": with_broker(old, sim=attrs.evolve(sim, seed=8)),
        "broker.sim.port": with_broker(old, sim=attrs.evolve(sim, port=sim.port + 100)),
    }
    who = {key: restartwho.plan(old, new).keys for key, new in cases.items()}
    assert who == {
        "bus.risk_control": {"bus.risk_control": ("riskd",)},
        "supervisor.startup_timeout": {"supervisor.startup_timeout": ("riskd",)},
        "broker.api_key": {"broker.api_key": ("simbroker", "market", "enforcement")},
        "broker.stale_after": {"broker.stale_after": ("market", "risk")},
        "broker.timeout": {"broker.timeout": ("market", "enforcement")},
        "broker.sim.seed": {"broker.sim.seed": ("simbroker",)},
        "broker.sim.port": {"broker.sim.port": ("simbroker", "market", "enforcement")},
    }
    assert restartwho.plan(old, old).words() == ""          # nothing waits: nothing said


def test_the_words_name_the_workers_running_and_their_commands():
    old = shipped()
    plan = restartwho.plan(old, with_broker(old, api_key="topsecretkey123"))
    said = plan.words(running=["logging", "market", "risk", "enforcement", "simbroker"])
    assert said == ("restart simbroker, market and enforcement for broker.api_key to take "
                    "effect: `riskctl restart simbroker`, `riskctl restart market`, `riskctl "
                    "restart enforcement` (until then they keep the old value; simbroker first: "
                    "market and enforcement log in to it)")
    assert "topsecretkey123" not in said
    assert plan.words(running=["logging"]) == ""    # each reads it when it starts


def test_a_worker_started_by_riskd_runs_on_riskds_bus_not_the_files(tmp_path, monkeypatch):
    config = make_config(tmp_path)
    running = load_config(config)
    edited = open(config, encoding="utf-8").read().replace(
        running.config.bus.risk_control, "tcp://127.0.0.1:5999")
    with open(config, "w", encoding="utf-8") as fh:
        fh.write(edited)
    assert load_config(config).config.bus.risk_control == "tcp://127.0.0.1:5999"
    monkeypatch.setenv(pinned.ENV, pinned.encode(running.config))      # as riskd passes it
    started = load_or_exit(config, "risk")
    assert started.config.bus == running.config.bus
    assert started.data_dir == running.data_dir
    monkeypatch.delenv(pinned.ENV)
    assert load_or_exit(config, "risk").config.bus.risk_control == "tcp://127.0.0.1:5999"
    assert os.environ.get(pinned.ENV) is None


def test_a_riskd_wide_key_set_back_to_the_running_value_needs_no_restart():
    # trial 15c: bus.notify_pub moved (NOT in force), then set back to the port riskd runs:
    # the answer said "NOT in force yet ... `riskctl shutdown`, then `make run`", needlessly
    running = shipped()
    moved = attrs.evolve(running, bus=attrs.evolve(running.bus,
                                                   notify_pub="tcp://127.0.0.1:5998"))
    away = restartwho.plan(running, moved, running=running)
    assert away.keys == {"bus.notify_pub": ("riskd",)}
    assert "bus.notify_pub takes effect only when riskd itself restarts" in away.words()
    assert away.back_words() == ""
    back = restartwho.plan(moved, running, running=running)
    assert back.keys == {} and back.sections == []
    assert back.words() == ""
    assert back.back_words() == "bus.notify_pub matches what riskd runs: nothing to restart"
    further = attrs.evolve(running, bus=attrs.evolve(running.bus,
                                                     notify_pub="tcp://127.0.0.1:5997"))
    assert restartwho.plan(moved, further, running=running).keys == {
        "bus.notify_pub": ("riskd",)}           # still away from what riskd runs


def test_a_workers_key_set_back_to_what_its_processes_run_needs_no_restart():
    # a restore that puts broker.api_key back: simbroker and market started with the old key
    running = shipped()
    keyed = with_broker(running, api_key="topsecretkey123")
    runs = {"simbroker": [running], "market": [running], "risk": [running]}
    back = restartwho.plan(keyed, running, running=running, workers_run=runs)
    assert back.keys == {} and back.words(running=list(runs)) == ""
    assert back.back_words() == "broker.api_key matches what riskd runs: nothing to restart"
    # market restarted since with the new key: only simbroker still runs the old one
    moved = restartwho.plan(running, keyed, running=running,
                            workers_run={"simbroker": [running], "market": [keyed]})
    assert moved.keys == {"broker.api_key": ("simbroker", "enforcement")}
    assert moved.words(running=["simbroker", "market"]).startswith(
        "restart simbroker for broker.api_key to take effect")
