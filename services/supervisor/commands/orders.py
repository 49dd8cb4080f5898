"""`riskctl orders`: working orders as the market worker knows them (forwarded to market)."""
from services.supervisor.commands.base import Command, forward
from shared.messages.market import OrdersRequest

COMMAND = Command(OrdersRequest, "trader", forward("market"))
