"""An engine driven as the risk worker drives it, for the tests of failed actions tried again:
the shipped rules (etc/riskd.toml), one account, an injected clock moved by the worker's 0.1 s
tick, every Outcome kept. tests/unit/risk/test_failed_action_tried_again.py and
test_failed_close_no_longer_needed.py build their stories on it."""
from __future__ import annotations

from decimal import Decimal

from services.risk.views import account_status
from shared.config.load import load_config
from shared.messages.enforce import CommandResult
from shared.messages.market import AccountUpdate, Quote
from tests.unit.risk.desk import MNQ, NS, SHIPPED, chi, shipped_engine

ACCOUNT = 1001
LOADED = load_config(SHIPPED)
WEDNESDAY = chi(2026, 12, 2, 10, 0)


def gave_up(status: int) -> str:
    """Enforcement's error line of a close that gave up on HTTP `status`."""
    return (f"round 4: /api/Position/closeContract: the broker did not answer successfully "
            f"after 1 call (last: HTTP {status})")


class EngineRun:
    http_status = 500           # what the failed closes of the story were answered
    failed_for_s = 2.1          # how long a failed command ran before enforcement gave up

    def __init__(self):
        self.now = WEDNESDAY
        self.engine = shipped_engine(LOADED, self.now)
        self.outs = [self.engine.recheck(self.now)]
        self.on(AccountUpdate(account_id=ACCOUNT, name="SIM-1", balance=Decimal(50_000),
                              can_trade=True))

    def on(self, event):
        out = self.engine.on_event(event, self.now)
        self.outs.append(out)
        return out

    def price(self, p):
        return self.on(Quote(contract_id=MNQ, ts_ns=self.now, last=Decimal(str(p))))

    def wait(self, seconds: float):
        out = None
        end = self.now + int(seconds * NS)
        while self.now < end:                     # the worker's 0.1 s tick
            self.now = min(end, self.now + NS // 10)
            out = self.engine.tick(self.now)
            self.outs.append(out)
        return out

    def result(self, cmd, status, detail="", attempts=1, calls=None):
        """calls: enforcement's broker calls (one per round unless said)."""
        failed = status == "failed"
        out = self.engine.on_result(CommandResult(
            command_id=cmd.id, account_id=ACCOUNT, status=status, detail=detail,
            attempts=attempts, broker_calls=attempts if calls is None else calls,
            started_ns=self.now - int(self.failed_for_s * NS) if failed
            else self.now, finished_ns=self.now, first_answer_ns=self.now, action=cmd.action,
            rule=cmd.rule, errors=[gave_up(self.http_status)] if failed else []), self.now)
        self.outs.append(out)
        return out

    def sent(self):
        """What the worker would publish now: the outbox's due commands."""
        return self.engine.outbox.due(self.now)

    def failing(self):
        return account_status(self.engine, ACCOUNT, self.now).failing

    def notices(self, since=0):
        return [n for o in self.outs[since:] for n in o.notices]
