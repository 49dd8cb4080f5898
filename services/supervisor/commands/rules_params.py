"""`riskctl rules list [ACCOUNT]`: the configured parameters of every rule (profile + overrides).

An account the broker reports and the config does not list (the sim's SIM-DEMO-3) runs the
default profile's rules: when the target is no configured account or profile, risk (which
knows the broker's accounts) is asked whether it is one, and the answer is the default
profile's rules under the account's name, saying so. docs/rules.md. A rule edit of such an
account is refused by the config (no [[accounts]] entry to write to): unlisted_edit says it is
guarded, unconfigured, and how to add it (trial17a section 9)."""
from services.supervisor.commands.base import Command
from services.supervisor.riskshards import forward_risk
from shared.accountname import account_name, called
from shared.config.accounts import DEFAULT_PROFILE, AmbiguousAccount
from shared.config.views import rule_rows, unlisted_rows
from shared.messages.config import RuleParams, RuleParamsRequest, RuleParamsTable
from shared.messages.risk import RulesReply, RulesRequest
from shared.messages.system import Reply, error, ok


def execute(sup, request, respond) -> None:
    try:
        rows = rule_rows(sup.config, request.target)
    except AmbiguousAccount as exc:
        respond(error("ambiguous_account", str(exc)))
        return
    except KeyError as exc:
        unknown = exc.args[0]
        kind, _, ref = request.target.rpartition(":")
        if kind not in ("", "account") or not ref.strip():
            respond(error("unknown_target", unknown))
            return
        forward_risk(sup, RulesRequest(account=ref.strip()),
                     lambda reply: respond(unlisted(sup.config, reply, unknown)))
        return
    respond(ok(table(rows)))


def table(rows: list[dict]) -> RuleParamsTable:
    return RuleParamsTable(rows=[RuleParams(**row) for row in rows])


def unlisted(config, reply: Reply, unknown: str) -> Reply:
    """risk's answer about an account the config does not list: its rules (the default
    profile's), or why there are none to show."""
    if reply.ok and isinstance(reply.body, RulesReply) and reply.body.accounts:
        acct = reply.body.accounts[0]
        name = account_name(config.accounts, acct.account_id, acct.name)
        return ok(table(unlisted_rows(config, name)),
                  reason=f"{called(name, acct.account_id)} is not in the config: it runs the "
                         f"rules of the {DEFAULT_PROFILE} profile")
    if reply.code == "unknown_account":
        return error("unknown_target", f"{unknown}; nor does the broker report it")
    return error("unknown_target", f"{unknown}; an account only the broker reports cannot be "
                 f"looked up now ({reply.reason})")


UNKNOWN_TARGET = "no profile or account named "


def unlisted_edit(sup, target: str, respond):
    """respond for a rule edit (rules set, enable, disable): an edit refused because the config
    has no such account or profile, of an account risk guards (the broker reports it, on the
    default profile), says so and names `riskctl accounts add`; any other answer as it is."""
    kind, _, ref = target.rpartition(":")

    def answer(reply: Reply) -> None:
        if reply.ok or not reply.reason.startswith(UNKNOWN_TARGET) \
                or kind not in ("", "account") or not ref.strip():
            respond(reply)
            return

        def told(got: Reply) -> None:
            if got.ok and isinstance(got.body, RulesReply) and got.body.accounts:
                acct = got.body.accounts[0]
                name = account_name(sup.config.accounts, acct.account_id, acct.name)
                respond(error(reply.code, (
                    f"{called(name, acct.account_id)} is guarded (the broker reports it) but "
                    f"not in the config: it runs the rules of the {DEFAULT_PROFILE} profile, "
                    f"and a rule of its own needs an [[accounts]] entry first: `riskctl "
                    f"accounts add {acct.account_id}`, then this edit again (docs/rules.md)")))
            else:
                respond(reply)
        forward_risk(sup, RulesRequest(account=ref.strip()), told)
    return answer


COMMAND = Command(RuleParamsRequest, "trader", execute)
