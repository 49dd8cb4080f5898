"""Risk shards: the account -> shard mapping, the shards' names, addresses and state files, the
refusal of state kept for another count, and the config's validation of risk_shards."""
from __future__ import annotations

import os

import pytest

from shared import shards
from shared.config.errors import ConfigError
from shared.config.load import validate_full
from shared.config.sections import BusConfig, SupervisorConfig


def test_an_account_belongs_to_its_id_modulo_the_count():
    assert [shards.shard_of(a, 2) for a in (1000, 1001, 1002, 1003)] == [0, 1, 0, 1]
    assert {shards.shard_of(a, 1) for a in range(50)} == {0}
    assert [shards.shard_of(a, 3) for a in (3001, 3002, 3003)] == [1, 2, 0]


def test_every_account_has_exactly_one_shard_and_all_shards_are_used():
    for n in range(1, shards.MAX_SHARDS + 1):
        owners = [shards.shard_of(a, n) for a in range(1000, 1000 + 10 * n)]
        assert set(owners) == set(range(n))


def test_one_shard_is_todays_risk_worker():
    assert shards.names(1) == ["risk"]
    assert shards.state_file(0, 1) == "risk.sqlite"
    bus = BusConfig()
    assert bus.pub("risk") == bus.risk_pub and bus.control_of("risk") == bus.risk_control
    assert SupervisorConfig().worker_names() == list(SupervisorConfig().workers)
    assert SupervisorConfig().module_of("risk") == "services.risk"


def test_shards_have_their_own_names_addresses_and_files():
    assert shards.names(3) == ["risk-0", "risk-1", "risk-2"]
    assert [shards.index_of(n) for n in ("risk", "risk-0", "risk-2", "market", "risky")] == [
        0, 0, 2, None, None]
    bus = BusConfig(risk_shards_from="tcp://127.0.0.1:6000")
    assert (bus.pub("risk-0"), bus.control_of("risk-0")) == (bus.risk_pub, bus.risk_control)
    assert (bus.pub("risk-1"), bus.control_of("risk-1")) == ("tcp://127.0.0.1:6000",
                                                             "tcp://127.0.0.1:6001")
    assert bus.pub("risk-2") == "tcp://127.0.0.1:6002"
    sup = SupervisorConfig(risk_shards=2, workers=["market", "risk", "enforcement"])
    assert sup.worker_names() == ["market", "risk-0", "risk-1", "enforcement"]
    assert sup.module_of("risk-1") == "services.risk"
    assert shards.state_file(1, 2) == "risk-1-of-2.sqlite"


@pytest.mark.parametrize("present, index, n, foreign", [
    (["risk.sqlite", "risk.sqlite-wal"], 0, 1, []),
    (["risk-0-of-2.sqlite", "risk-1-of-2.sqlite"], 1, 2, []),
    (["risk.sqlite"], 0, 2, ["risk.sqlite"]),
    (["risk-0-of-2.sqlite", "risk-1-of-2.sqlite-wal"], 0, 1, ["risk-0-of-2.sqlite"]),
    (["risk-0-of-3.sqlite", "risk-0-of-2.sqlite"], 0, 2, ["risk-0-of-3.sqlite"]),
    (["risk.sqlite.corrupt-20261204T000000Z", "simbroker.sqlite3"], 0, 2, []),
])
def test_state_kept_for_another_count_is_found(tmp_path, present, index, n, foreign):
    for name in present:
        (tmp_path / name).write_bytes(b"")
    assert shards.foreign_state_files(str(tmp_path), index, n) == foreign


def test_the_refusal_says_what_was_found_and_how_to_migrate(tmp_path):
    text = shards.refusal(str(tmp_path), 1, ["risk-0-of-2.sqlite", "risk-1-of-2.sqlite"])
    assert "risk_shards = 2" in text and "risk_shards = 1" in text
    assert "risk-0-of-2.sqlite" in text and "riskctl lockouts" in text
    assert "docs/scaling.md" in text and os.path.exists(
        os.path.join(os.path.dirname(__file__), "..", "..", "docs", "scaling.md"))


def problems_of(data: dict) -> dict[str, str]:
    with pytest.raises(ConfigError) as info:
        validate_full(data, "riskd.toml", env={})
    return {p.path: p.message for p in info.value.problems if p.severity == "error"}


@pytest.mark.parametrize("value", [0, -1, 17, 2.5, "2", True])
def test_a_bad_shard_count_is_an_error_naming_the_key(value):
    problems = problems_of({"supervisor": {"risk_shards": value}})
    assert "whole number" in problems["supervisor.risk_shards"], problems


def test_shard_ports_that_collide_with_another_address_are_an_error():
    # shard 1 binds 5568/5569 (free), shard 2 would bind 5570/5571: bus.control, bus.events
    problems = problems_of({"supervisor": {"risk_shards": 3},
                            "bus": {"risk_shards_from": "tcp://127.0.0.1:5568"}})
    assert "shard 2" in problems["bus.risk_shards_from"], problems
    assert "(bus.events)" in problems["bus.risk_shards_from"], problems    # 5571
    validate_full({"supervisor": {"risk_shards": 2},
                   "bus": {"risk_shards_from": "tcp://127.0.0.1:5568"}}, "riskd.toml", env={})


@pytest.mark.parametrize("text, n", [("[supervisor]\nrisk_shards = 2\n", 2), ("", 1),
                                     ("[supervisor]\nrisk_shards = true\n", 1),
                                     ("[supervisor]\nrisk_shards = 99\n", 1)])
def test_the_live_screen_listens_to_every_shard(tmp_path, text, n):
    from cli.watch.source import Source, read_risk_shards, read_tables
    path = tmp_path / "riskd.toml"
    path.write_text(text + '[bus]\nrisk_shards_from = "tcp://127.0.0.1:6100"\n')
    assert read_risk_shards(str(path)) == n
    bus, _calendar = read_tables(str(path))
    source = Source(bus, risk_shards=read_risk_shards(str(path)))
    assert source.risk_pubs == [bus.risk_pub, "tcp://127.0.0.1:6100"][:n]


@pytest.mark.parametrize("present, configured, held", [
    ([], 2, None),                                                       # nothing kept yet
    (["risk.sqlite", "risk.sqlite-wal"], 1, None),                       # its own state
    (["risk.sqlite", "risk.sqlite-wal"], 2, (1, ["risk.sqlite"])),       # trial 16c: held at 1
    (["risk-0-of-2.sqlite", "risk-1-of-2.sqlite"], 1,
     (2, ["risk-0-of-2.sqlite", "risk-1-of-2.sqlite"])),
    (["risk.sqlite", "risk-0-of-3.sqlite"], 2, None),                    # two other counts
    (["risk.sqlite", "risk-0-of-2.sqlite"], 2, None),                    # its own among them
])
def test_riskd_holds_risk_at_the_count_its_state_was_kept_for(tmp_path, present, configured,
                                                                held):
    for name in present:
        (tmp_path / name).write_bytes(b"")
    assert shards.held(str(tmp_path), configured) == held
    words = shards.edit_words(str(tmp_path), configured)
    assert bool(words) == (held is not None)
    if held:
        assert f"keeps risk at {held[0]} shard" in words and "docs/scaling.md" in words
