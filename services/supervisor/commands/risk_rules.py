"""Current value vs limit of each rule per account, for riskctl rules list (forwarded to risk)."""
from services.supervisor.commands.base import Command, to_risk
from shared.messages.risk import RulesRequest

COMMAND = Command(RulesRequest, "trader", to_risk())
