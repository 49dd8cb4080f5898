"""`riskctl positions`: open positions as the market worker knows them (forwarded to market)."""
from services.supervisor.commands.base import Command, forward
from shared.messages.market import PositionsRequest

COMMAND = Command(PositionsRequest, "trader", forward("market"))
