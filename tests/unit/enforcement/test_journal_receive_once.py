"""A new command is journaled with one statement before enforcement's broker call: its entry is
made from the command, not read back and decoded (round 18, docs/performance.md: the breach's
journal work before closeContract). The entry is the row a restart reads; a duplicate still
gets the stored row."""
from __future__ import annotations

from decimal import Decimal

from services.enforcement.journal import RECEIVED, Journal
from shared.messages.enforce import Command

NOW = 1_800_000_000_000_000_000


def full_command(cid: str = "d1.1") -> Command:
    """Every field set, a Decimal and an optional among them: the wire's round trip matters."""
    return Command(id=cid, decision_id="d1", account_id=1001, action="close_position",
                   mode="enforce", contract_id="CON.F.US.MNQ.Z26", order_id=77, size=2,
                   stop_price=Decimal("20880.25"), rule="max_contracts",
                   reason="MNQ position opened on account 1001 while locked",
                   issued_ns=NOW - 9, event_ns=NOW - 10, attempt=3, by="admin:root",
                   order_text="sell stop MNQ 2 @ 20880.25", target=1, account_name="SIM-1001")


def test_a_new_command_is_one_statement_and_its_entry_is_the_stored_row(tmp_path):
    j = Journal(str(tmp_path / "j.sqlite"), NOW)
    statements: list[str] = []
    j._conn.set_trace_callback(statements.append)
    entry, new = j.receive(full_command(), NOW)
    j._conn.set_trace_callback(None)
    assert new and entry.state == RECEIVED
    assert len(statements) == 1 and statements[0].startswith("INSERT"), statements
    # what a restart (or a duplicate) reads of the row is the entry handed to the executor
    assert j.get("d1.1") == entry
    j.close()
    again = Journal(str(tmp_path / "j.sqlite"), NOW)
    assert again.unfinished() == [entry]
    stored, new = again.receive(full_command(), NOW + 5)
    assert not new and stored == entry
    again.close()
