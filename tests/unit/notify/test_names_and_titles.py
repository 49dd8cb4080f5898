"""Names and titles as the rest of riskd says them (trial 2026-12-06, finding 7): phone answers
wrote "Demo 2 (strict) (id 1002)" where every screen writes "Demo 2 (strict, id 1002)"; `/status
Demo 2` in a chat that sees every account answered "not in this chat's scope" for a name
riskd does not know; the crash alert said its cause twice; "🛠 Admin flatten" did not say which
admin and "🔒 Lockout enforced" not until when."""
from __future__ import annotations

from services.notify.bot.answers import title
from services.notify.templates import Context, build
from shared.messages.control import WorkerEvent
from shared.messages.risk import (AccountStatus, Decision, LockoutState, RiskStatusReply)
from tests.unit.notify.test_commands import CHI, S, STATUS_FROM_111, T0, chat_poller

CTX = Context(tz=CHI, accounts={1001: "Demo 1", 1002: "Demo 2 (strict)"})
ACCOUNTS = [AccountStatus(account_id=1001, name="SIM-DEMO-1", ts_ns=T0, trading_day="2026-11-24"),
            AccountStatus(account_id=1002, name="SIM-DEMO-2", ts_ns=T0, trading_day="2026-11-24")]


def test_answers_name_an_account_as_the_screens_do():
    assert title(ACCOUNTS[0], CTX) == "Demo 1 (id 1001)"
    assert title(ACCOUNTS[1], CTX) == "Demo 2 (strict, id 1002)"


class Risk:
    def ask(self, _request):
        return RiskStatusReply(accounts=ACCOUNTS)


def test_an_unknown_name_is_said_so_with_the_names_riskd_knows(tmp_path):
    poller, outbox = chat_poller(tmp_path)
    poller.ctx, poller.riskd = CTX, Risk()
    poller.handle({"update_id": 3, "message": dict(STATUS_FROM_111, date=T0 // S,
                                                   text="/lockout Demo 2 30m")})
    text = outbox.next_reply("telegram").text
    assert text.startswith("no account is named 'Demo 2': the ones this chat sees are "
                           "Demo 1 (id 1001), Demo 2 (strict, id 1002)"), text
    assert "scope" not in text


def test_the_crash_alert_says_its_cause_once():
    alert = build(WorkerEvent(name="risk", state="backoff", exit_code=-9,
                              reason="killed by signal 9 (SIGKILL)"), CTX)
    assert alert.title == "💥 Worker risk crashed: killed by signal 9 (SIGKILL)"
    assert "killed by signal 9" not in "\n".join(alert.lines), alert.lines


def test_a_worker_killed_as_hung_says_the_supervisor_killed_it():
    alert = build(WorkerEvent(name="risk", state="backoff", exit_code=-9,
                              reason="silent for 5.0 s (heartbeat timeout 5 s): hung"), CTX)
    assert alert.title == ("💥 Worker risk crashed: killed by the supervisor as hung (silent "
                           "for 5.0 s)"), alert.title
    assert "SIGKILL" not in alert.title


def test_an_admin_flatten_says_which_admin():
    d = Decision(id="d1", ts_ns=T0, rule="admin", account_id=1002, action="flatten",
                 by="admin:ana", reason="kill switch")
    assert build(d, CTX).title == "🛠 Admin flatten by admin:ana on Demo 2 (strict, id 1002)"


def test_a_lockout_enforced_says_until_when():
    lock = LockoutState(id="L1", account_id=1001, kind="timer", rule="self_lockout",
                        since_ns=T0 - 60 * S, until_ns=T0 + 1200 * S, by="trader")
    d = Decision(id="d2", ts_ns=T0, rule="lockout", account_id=1001, action="close_position",
                 contract_id="CON.F.US.MES.Z26", by="lockout",
                 reason="MES position grew by 1 while account Demo 1 locked (timer) by "
                        "self_lockout")
    ctx = Context(tz=CHI, accounts=CTX.accounts, locks={"L1": lock})
    assert build(d, ctx).title == ("🔒 Lockout enforced on Demo 1 (id 1001): locked until Tue 10:20 CST "
                                   "(self_lockout)")
