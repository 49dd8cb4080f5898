"""`riskctl sim cancel` and `riskctl sim modify`: cancel or change a working order at the sim,
as a trading platform would (Order/cancel, Order/modify), so that a terminal user can test
what riskd does of a stop cancelled or made smaller (no_stop_loss_grace) without curl and the
sim's api key (fresh-user trial 18a: `riskctl sim` listed no way to). docs/simbroker.md,
Changing and cancelling orders."""
from __future__ import annotations

from typing import Any, Optional

from cli.errors import CliError

CANCEL_HELP = ("cancel the working order ORDER (its id, from `riskctl sim orders`) at the sim, "
               "as a trading platform would (docs/simbroker.md, Changing and cancelling orders)")
MODIFY_HELP = ("change the working order ORDER (its id, from `riskctl sim orders`) at the sim: "
               "its size, stop price or limit price, as a trading platform would "
               "(docs/simbroker.md, Changing and cancelling orders)")


def add_parsers(sub, add_account, add_json) -> None:
    p = sub.add_parser("cancel", help=CANCEL_HELP, description=CANCEL_HELP)
    p.add_argument("order", type=int, help="the order's id (riskctl sim orders)")
    add_account(p, "the account that holds ORDER")
    add_json(p)
    p = sub.add_parser("modify", help=MODIFY_HELP, description=MODIFY_HELP)
    p.add_argument("order", type=int, help="the order's id (riskctl sim orders)")
    p.add_argument("--size", type=int, metavar="N", help="its new size (contracts, above 0)")
    p.add_argument("--stop", type=float, metavar="P", help="its new stop price (a stop order)")
    p.add_argument("--limit", type=float, metavar="P",
                   help="its new limit price (a limit or stop-limit order)")
    add_account(p, "the account that holds ORDER")
    add_json(p)


def find_order(sim, order_id: int, wanted: Optional[str]) -> tuple[dict, dict]:
    """(account, order) of a working order, looked for in the given account or every one."""
    accounts = sim.accounts(wanted)
    for account in accounts:
        found = sim.call("/api/Order/searchOpen", {"accountId": account["id"]})["orders"]
        for order in found:
            if order["id"] == order_id:
                return account, order
    where = "its account" if wanted else "any account"
    raise CliError(f"no working order {order_id} at the sim in {where} (riskctl sim orders "
                   f"lists them; a filled or cancelled order cannot be changed)")


def order_words(order: dict) -> str:
    """'sell 2 MNQ stop at 100.00'."""
    from cli.commands.sim import BUY, ORDER_TYPES, traded_price
    from shared.symbols import ticker_of
    price = order.get("stopPrice") if order.get("stopPrice") is not None \
        else order.get("limitPrice")
    at = f" at {traded_price(price)}" if price is not None else ""
    return (f"{'buy' if order['side'] == BUY else 'sell'} {order['size']} "
            f"{ticker_of(order['contractId'])} {ORDER_TYPES.get(order['type'], order['type'])}"
            f"{at}")


def cancel(args, ctx, sim) -> int:
    from cli.commands.sim import _account_label
    account, order = find_order(sim, args.order, args.account)
    sim.call("/api/Order/cancel", {"accountId": account["id"], "orderId": args.order})
    if ctx.json:
        ctx.print_json({"cancelled": args.order, "accountId": account["id"], "order": order})
    else:
        print(f"cancelled order {args.order} ({order_words(order)}) on "
              f"{_account_label(account, ctx)}")
    return 0


def modify(args, ctx, sim) -> int:
    from cli.commands.sim import _account_label, traded_price
    if args.size is None and args.stop is None and args.limit is None:
        raise CliError("nothing to change: give --size N, --stop P and/or --limit P")
    if args.size is not None and args.size <= 0:
        raise CliError(f"expected a size above 0, got {args.size} (to remove the order: "
                       f"riskctl sim cancel {args.order})")
    account, order = find_order(sim, args.order, args.account)
    body: dict[str, Any] = {"accountId": account["id"], "orderId": args.order}
    changes = []
    if args.size is not None:
        body["size"] = args.size
        changes.append(f"size {order['size']} -> {args.size}")
    for flag, field, word in (("stop", "stopPrice", "stop"), ("limit", "limitPrice", "limit")):
        value = getattr(args, flag)
        if value is None:
            continue
        if order.get(field) is None:
            raise CliError(f"order {args.order} ({order_words(order)}) has no {word} price to "
                           f"change")
        body[field] = value
        changes.append(f"{word} {traded_price(order[field])} -> {traded_price(value)}")
    sim.call("/api/Order/modify", body)
    after = next((o for o in sim.call("/api/Order/searchOpen",
                                      {"accountId": account["id"]})["orders"]
                  if o["id"] == args.order), None)
    if ctx.json:
        ctx.print_json({"modified": args.order, "accountId": account["id"], "was": order,
                        "now": after})
    else:
        now = f"now {order_words(after)}" if after is not None else \
            "it is no longer working (the change filled it)"
        print(f"modified order {args.order} on {_account_label(account, ctx)}: "
              f"{', '.join(changes)}; {now}")
    return 0
