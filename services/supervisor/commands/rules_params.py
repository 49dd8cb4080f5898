"""`riskctl rules list [ACCOUNT]`: the configured parameters of every rule (profile + overrides)."""
from services.supervisor.commands.base import Command
from shared.config.views import rule_rows
from shared.messages.config import RuleParams, RuleParamsRequest, RuleParamsTable
from shared.messages.system import error, ok


def execute(sup, request, respond) -> None:
    try:
        rows = rule_rows(sup.config, request.target)
    except KeyError as exc:
        respond(error("unknown_target", exc.args[0]))
        return
    respond(ok(RuleParamsTable(rows=[RuleParams(**row) for row in rows])))


COMMAND = Command(RuleParamsRequest, "trader", execute)
