"""`riskctl rules list` for an account the broker reports and the config does not list
(fresh-user trial 2026-12-05, finding 5): `rules list 1003` (or SIM-DEMO-3) answered "no
account or profile" while lockout, unlock and history took 1003. Such an account runs the
default profile's rules, and the list says so. risk is stood in for by its RulesReply (which
accounts it knows is the fact tested); the supervisor's command is the real code."""
from __future__ import annotations

import attrs

from services.supervisor.commands import rules_params
from shared.config.accounts import AccountConfig
from shared.config.model import Config
from shared.config.sections import SupervisorConfig
from shared.messages.config import RuleParamsRequest
from shared.messages.risk import AccountRules, RulesReply, RulesRequest
from shared.messages.system import error, ok

BROKER = {1001: "SIM-DEMO-1", 1002: "SIM-DEMO-2", 1003: "SIM-DEMO-3"}


class Sup:
    def __init__(self, risk_running=True):
        self.config = attrs.evolve(Config(), supervisor=SupervisorConfig(risk_shards=1),
                                   accounts=[AccountConfig(id=1001, name="SIM-DEMO-1",
                                                           display_name="Ana main"),
                                             AccountConfig(id=1002, name="SIM-DEMO-2")])
        self.asked = []
        self.risk_running = risk_running

    def forward(self, worker, request, respond, timeout=3.0):
        self.asked.append((worker, request))
        assert isinstance(request, RulesRequest)
        if not self.risk_running:
            respond(error("unreachable", "risk is not reachable (not running?)"))
            return
        found = [aid for aid, name in BROKER.items() if request.account in (name, str(aid))]
        respond(ok(RulesReply(accounts=[AccountRules(account_id=a, name=BROKER[a])
                                        for a in found])) if found
                else error("unknown_account", f"risk does not know account {request.account!r}"))


def answer(sup, target):
    got = []
    rules_params.execute(sup, RuleParamsRequest(target=target), got.append)
    [reply] = got
    return reply


def test_an_account_only_the_broker_reports_lists_the_default_profiles_rules_and_says_so():
    for target in ("1003", "SIM-DEMO-3", "account:1003"):
        reply = answer(Sup(), target)
        assert reply.ok, reply
        assert reply.reason == ("SIM-DEMO-3 (id 1003) is not in the config: it runs the rules "
                                "of the default profile")
        assert {r.target for r in reply.body.rows} == {"account:SIM-DEMO-3"}
        assert {r.profile for r in reply.body.rows} == {"default"}
        default = answer(Sup(), "profile:default").body.rows
        assert [(r.rule, r.enabled, r.params) for r in reply.body.rows] == \
            [(r.rule, r.enabled, r.params) for r in default]


def test_a_configured_account_is_answered_from_the_config_without_asking_risk():
    sup = Sup()
    reply = answer(sup, "SIM-DEMO-1")
    assert reply.ok and not reply.reason and not sup.asked


def test_no_such_account_anywhere_and_risk_not_answering_say_why():
    reply = answer(Sup(), "ghost")
    assert reply.code == "unknown_target"
    assert reply.reason.startswith("no account or profile 'ghost'")
    assert reply.reason.endswith("; nor does the broker report it")
    # the accounts as screens name them (trial16c: "accounts: SIM-DEMO-1, SIM-DEMO-2")
    assert "; accounts: Ana main (id 1001), SIM-DEMO-2 (id 1002);" in reply.reason, reply.reason
    reply = answer(Sup(risk_running=False), "1003")
    assert reply.code == "unknown_target" and "cannot be looked up now" in reply.reason
    sup = Sup()
    assert answer(sup, "profile:ghost").code == "unknown_target" and not sup.asked
