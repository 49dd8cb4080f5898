"""Trade against the built-in sim broker from a terminal, and find out where it is.

  riskctl sim buy SYMBOL QTY [--account A] [--limit P | --stop P]
  riskctl sim sell SYMBOL QTY [--account A] [--limit P | --stop P]
  riskctl sim price SYMBOL PRICE         move the sim's market (fills what it triggers)
  riskctl sim flatten [--account A]      close every position, cancel every working order
  riskctl sim cancel ORDER [--account A] cancel a working order (its id: riskctl sim orders)
  riskctl sim modify ORDER [--size N] [--stop P] [--limit P] [--account A]
                                         change a working order's size or price
  riskctl sim fail ENDPOINT --status N [--count N] [--delay S] [--hold] [--account A]
                                         the next calls of a REST endpoint fail, come late,
                                         or wait for `riskctl sim release ENDPOINT`
  riskctl sim release ENDPOINT           carry out the calls `sim fail --hold` holds
  riskctl sim positions [--account A]    the sim's own open positions, by account
  riskctl sim orders [--account A]       the sim's own working orders, by account
  riskctl sim info [--json]              REST and hub URLs, login (the key masked: it is
                                         [broker] api_key in the config file), accounts
  riskctl sim history --days N [--account A] [--seed S]
                                         N past trading days of trades and bars (for replay)

SYMBOL is a ticker (MNQ, ES, NQ, CL...) or a contract id (CON.F.US.EP.Z26); an account is
its id, its name or the display name the config file gives it (default: the first account
for buy and sell, every account for flatten, history, positions and orders). These talk to
the sim's ProjectX REST API directly, as a trading platform would; riskd watches and reacts.
Only for broker.kind = "sim".
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Optional

import sys

import requests

from cli.accountnames import file_labels
from cli.errors import CliError
from cli.table import render_table
from services.simbroker.info import sim_info
from shared.accountname import called, named, uncalled
from shared.config.errors import ConfigError
from shared.config.load import load_config
from shared.symbols import UnknownSymbol, contract_for, is_contract_id, ticker_of
from shared.plural import plural
from shared.redact import Redactor
from shared.showprice import fmt_price

NAME = "sim"
HTTP_TIMEOUT = 5.0
HISTORY_TIMEOUT = 120.0          # writing a year of history takes the sim a while
BUY, SELL = 0, 1
LIMIT, MARKET, STOP = 1, 2, 4
WORKING_STATUSES = [1, 6, 7, 8]      # open, pending, pending cancel, suspended bracket children


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    for side in ("buy", "sell"):
        p = sub.add_parser(side, help=f"{side} QTY contracts of SYMBOL (market unless --limit/--stop)")
        p.add_argument("symbol", help="a ticker (MNQ, ES...) or a contract id")
        p.add_argument("qty", type=int, help="how many contracts")
        add_account(p)
        kind = p.add_mutually_exclusive_group()
        kind.add_argument("--limit", type=float, metavar="P", help="a limit order at price P")
        kind.add_argument("--stop", type=float, metavar="P", help="a stop order at price P")
        add_json(p)
    p = sub.add_parser("price", help="move SYMBOL's price in the sim (fills triggered orders)")
    p.add_argument("symbol")
    p.add_argument("price", type=float)
    add_json(p)
    p = sub.add_parser("flatten", help="close every position and cancel every working order")
    add_account(p, EVERY)
    add_json(p)
    from cli.commands import _sim_faults, _sim_orders
    _sim_orders.add_parsers(sub, add_account, add_json)
    _sim_faults.add_parsers(sub, add_account, add_json)
    for what, read in (("positions", "Position/searchOpen"), ("orders", "Order/searchOpen")):
        said = (f"the sim's own open {what} by account, as the broker answers {read} (to "
                f"compare with riskctl {what}; docs/simbroker.md, Reading the sim's own state)")
        p = sub.add_parser(what, help=said, description=said)
        add_account(p, EVERY)
        add_json(p)
    said = ("where the sim is and how to log in to it (the api key masked: it is [broker] "
            "api_key in the config file, docs/simbroker.md, Logging in)")
    p = sub.add_parser("info", help=said, description=said)
    add_json(p)
    p = sub.add_parser("history", help="write N past trading days of activity into the sim "
                                       "(see docs/simbroker.md)")
    p.add_argument("--days", type=int, required=True, metavar="N",
                   help="how many trading days before today (1 to 260)")
    add_account(p, EVERY)
    p.add_argument("--seed", type=int, metavar="S",
                   help="the same seed writes the same days (default: [broker.sim] seed)")
    add_json(p)


FIRST, EVERY = "the first", "every account"


def add_account(parser, default: str = FIRST) -> None:
    """--account, with what an action does without it: buy and sell trade on the first
    account, flatten and history act on every account (fresh-user trial: `sim history --help`
    said "default: the first" and `sim history --days 5` wrote both accounts)."""
    parser.add_argument("--account", metavar="A", help=f"account id, name or display name "
                                                      f"(default: {default})")


def add_json(parser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON document")


def run(args, ctx) -> int:
    broker = read_broker(ctx.config_path)
    if broker.kind != "sim":           # never trades on, nor prints the key of, a real broker
        raise CliError(f"broker.kind is {broker.kind!r} in {ctx.config_path}: 'riskctl sim' "
                       f"only works with the built-in sim broker (kind = \"sim\")")
    url = running_sim(args.action, broker, ctx)
    if args.action == "info":
        return show_info(broker, ctx, url)
    if getattr(args, "account", None):
        args.account = sim_ref(args.account, ctx.config_path)
    sim = SimClient(broker, url)
    from cli.commands import _sim_faults, _sim_orders
    return {"buy": place, "sell": place, "price": move_price, "flatten": flatten,
            "history": history, "positions": show_positions, "orders": show_orders,
            "cancel": _sim_orders.cancel, "modify": _sim_orders.modify,
            "fail": _sim_faults.fail, "release": _sim_faults.release,
            }[args.action](args, ctx, sim)


# the actions that change the sim's state
CHANGES = ("buy", "sell", "price", "flatten", "cancel", "modify", "fail", "release")


def running_sim(action: str, broker, ctx) -> str:
    """The REST URL of the sim the running riskd runs (cli/runningriskd.py), which `riskctl
    sim` acts on: the file's [broker.sim] may name another port after an edit that waits for
    `riskctl restart simbroker` (round 15's note: `sim buy` went to the file's new port, where
    nothing, or another desk's sim, listens). The riskd answering is another config's
    (cli/whichriskd.py): its sim is that other desk's, so an action is refused (a read is
    warned, as every read command is). riskd not answering: the file's."""
    from cli import runningriskd
    running = runningriskd.ask(ctx)
    if ctx.other is not None and action in CHANGES:
        raise CliError(ctx.other.refusal_of(f"riskctl sim {action}"))
    file_url = broker.endpoints()[0]
    if running.sim_url and running.sim_url != file_url:
        print(f"riskctl: the sim riskd runs is at {running.sim_url}; the config file says "
              f"{file_url}, which the sim takes only when it restarts (`riskctl restart "
              f"simbroker`, then market and enforcement): this acts on the running one",
              file=sys.stderr)
    return running.sim_url or file_url


def sim_ref(wanted: str, config_path: str) -> str:
    """--account as the sim knows accounts (id, broker's name): a display name the config
    file gives one account is its id (docs/operations.md, Account names; trial 16b: `sim sell
    --account "Ana main"` answered "no account 'Ana main' in the sim"). Read leniently (a
    broken file still trades on ids and names); a name two accounts go by (any case) is refused
    as every command refuses it (cli/accountnames.file_account)."""
    from cli.accountnames import file_account
    account = file_account(config_path, wanted)
    return str(account.id) if account is not None and account.id is not None else wanted


def read_broker(path: str):
    try:
        return load_config(path).config.broker
    except ConfigError as exc:
        raise CliError(exc.render()) from None


def show_info(broker, ctx, url: str = "") -> int:
    """The sim's URLs, login and accounts; its api key masked as every secret riskctl shows
    (shared/redact.py; fresh-user trial 2026-12-06: `sim info` printed it in clear), with
    where to read it: the config file."""
    info = {**Redactor().redact_fields({k: v for k, v in sim_info(broker).items()
                                        if k != "accounts"}),
            "api_key_in": key_place(ctx.config_path),
            "accounts": sim_info(broker)["accounts"]}
    if url and url != info["rest_url"]:     # the running sim's, not yet the file's
        info["running_rest_url"] = url
    if ctx.json:
        ctx.print_json(info)
        return 0
    if "running_rest_url" in info:
        print(f"{'running':<11} {url} (the sim riskd runs now; the lines below are the "
              f"config file's, which the sim takes when it restarts)")
    for key in ("rest_url", "user_hub", "market_hub", "user_name"):
        print(f"{key:<11} {info[key]}")
    print(f"{'api_key':<11} {info['api_key']} (masked; {info['api_key_in']})")
    for account in info["accounts"]:
        print(f"{'account':<11} {info_account(account, ctx)}")
    return 0


def key_place(config_path: str) -> str:
    """Where the sim's api key is: '[broker] api_key in /path/riskd.toml', or, when the file
    sets none, that the sim's built-in default is used (docs/simbroker.md says it)."""
    from cli import configfile
    try:
        data = configfile.tables(config_path)
    except OSError:
        data = {}
    broker = data.get("broker") if isinstance(data, dict) else None
    if isinstance(broker, dict) and broker.get("api_key"):
        return f"[broker] api_key in {config_path}"
    return (f"{config_path} sets no [broker] api_key: the sim's built-in one "
            f"(docs/simbroker.md, Logging in)")


def info_account(account: dict, ctx) -> str:
    """An account line of `sim info`: as riskd names it everywhere, 'Demo 1 (id 1001)', then
    the sim's own name, which other tools log in with ('Demo 1 (id 1001), SIM-DEMO-1 at the
    broker'; fresh-user trial 2026-12-06: 'account 1001 SIM-DEMO-1'). An account the config
    does not list goes by the sim's name: 'SIM-DEMO-3 (id 1003)'."""
    shown = _account_label(account, ctx)
    if uncalled(shown, account["id"]) == account["name"]:
        return shown
    return f"{shown}, {account['name']} at the broker"


class SimClient:
    """A minimal ProjectX REST client: log in once, POST JSON, turn failures into CliError."""

    def __init__(self, broker, url: str = ""):
        self.rest_url = url or broker.endpoints()[0]
        self.user_name, self.api_key = broker.user_name, broker.api_key
        self.http = requests.Session()
        self.verify = broker.ca_bundle or True       # the sim with tls = true: its ca.pem
        self._token: Optional[str] = None

    def _post(self, path: str, body: dict, auth: bool = True,
              timeout: float = HTTP_TIMEOUT) -> dict:
        headers = {"Authorization": f"Bearer {self.token()}"} if auth else {}
        try:
            reply = self.http.post(self.rest_url + path, json=body, headers=headers,
                                   timeout=timeout, verify=self.verify)
        except requests.ConnectionError:
            raise CliError(f"the sim broker is not answering at {self.rest_url}: is riskd (or "
                           f"the simbroker worker) running?") from None
        except requests.Timeout:
            raise CliError(f"the sim broker at {self.rest_url} did not answer {path} within "
                           f"{timeout:g} s") from None
        if reply.status_code != 200:
            raise CliError(f"{path} answered HTTP {reply.status_code}: {reply.text[:200]}")
        return reply.json()

    def token(self) -> str:
        if self._token is None:
            doc = self._post("/api/Auth/loginKey", {"userName": self.user_name,
                                                    "apiKey": self.api_key}, auth=False)
            if not doc.get("success"):
                raise CliError(f"the sim refused the login of {self.user_name!r}: "
                               f"{doc.get('errorMessage')} (error {doc.get('errorCode')})")
            self._token = doc["token"]
        return self._token

    def call(self, path: str, body: dict) -> dict:
        """POST and require success: false ends the command with the broker's message."""
        doc = self.api(path, body)
        if not doc.get("success"):
            raise CliError(f"{path} failed: {refusal_words(path, doc)}")
        return doc

    def api(self, path: str, body: dict) -> dict:
        return self._post(path, body)

    def control(self, path: str, body: dict, timeout: float = HTTP_TIMEOUT) -> dict:
        return self._post(path, body, auth=False, timeout=timeout)

    def contract(self, symbol: str) -> str:
        """A contract id as given (any listed month), or a ticker's active month."""
        if is_contract_id(symbol):
            contracts = self.call("/api/Contract/search", {"searchText": "", "live": False})
        else:
            contracts = self.call("/api/Contract/available", {"live": False})
        contracts = contracts["contracts"]
        try:
            return contract_for(symbol, [c["id"] for c in contracts])
        except UnknownSymbol as exc:
            raise CliError(str(exc)) from None

    def ticks(self) -> dict[str, Decimal]:
        """Every listed contract's tick size, by contract id: the decimals its prices need."""
        contracts = self.call("/api/Contract/search", {"searchText": "", "live": False})
        return {c["id"]: Decimal(str(c["tickSize"])) for c in contracts["contracts"]
                if c.get("tickSize")}

    def accounts(self, wanted: Optional[str]) -> list[dict]:
        accounts = self.call("/api/Account/search", {"onlyActiveAccounts": True})["accounts"]
        if wanted is None:
            return accounts
        chosen = [a for a in accounts if str(a["id"]) == wanted or a["name"] == wanted]
        if not chosen:
            known = ", ".join(called(a['name'], a['id']) for a in accounts)
            raise CliError(f"no account {wanted!r} in the sim; known: {known}")
        return chosen


def _account_label(account: dict, ctx) -> str:
    """The sim's account as riskd names it everywhere: 'Demo 1 (id 1001)' by the config file's
    labels (shared/accountname.called), the sim's own name for an account the file does not
    list (trial 2026-12-06: 'SIM-DEMO-1 (1001)' beside every screen's 'Demo 1')."""
    names = file_labels(ctx.config_path)
    return called(named(names, account["id"], account["name"]), account["id"])


def place(args, ctx, sim: SimClient) -> int:
    if args.qty <= 0:
        raise CliError(f"expected a quantity above 0, got {args.qty}")
    account = sim.accounts(args.account)[0]
    contract = sim.contract(args.symbol)
    side = BUY if args.action == "buy" else SELL
    body: dict[str, Any] = {"accountId": account["id"], "contractId": contract, "side": side,
                            "size": args.qty, "type": MARKET}
    if args.limit is not None:
        body.update(type=LIMIT, limitPrice=args.limit)
    elif args.stop is not None:
        body.update(type=STOP, stopPrice=args.stop)
    order_id = sim.call("/api/Order/place", body)["orderId"]
    kind = "limit" if args.limit is not None else "stop" if args.stop is not None else "market"
    if ctx.json:
        ctx.print_json({"orderId": order_id, "accountId": account["id"], "contractId": contract,
                        "side": args.action, "size": args.qty, "type": kind})
    else:
        # at least two decimals, as every screen shows a price (trial16c: "limit at 20000.0")
        price = (f" at {traded_price(args.limit if args.limit is not None else args.stop)}"
                 if kind != "market" else "")
        print(f"{args.action} {args.qty} {ticker_of(contract)} ({contract}) {kind}{price} "
              f"on {_account_label(account, ctx)}: order {order_id}")
    return 0


def move_price(args, ctx, sim: SimClient) -> int:
    contract = sim.contract(args.symbol)
    doc = sim.control("/sim/quote", {"contractId": contract, "lastPrice": args.price})
    if not doc.get("success"):
        raise CliError(f"the sim refused the price: {doc.get('errorMessage')}")
    if ctx.json:
        ctx.print_json({"contractId": contract, "quote": doc["quote"], "fills": doc["fills"]})
    else:
        q = doc["quote"]
        print(f"{ticker_of(contract)} ({contract}) last {traded_price(q['lastPrice'])} bid "
              f"{traded_price(q['bestBid'])} ask {traded_price(q['bestAsk'])}; "
              f"{plural(doc['fills'], 'order')} filled")
    return 0


def history(args, ctx, sim: SimClient) -> int:
    """POST /sim/history: the sim writes the days itself (its trades, orders and bars)."""
    if not 1 <= args.days <= 260:
        raise CliError(f"expected --days from 1 to 260, got {args.days}")
    accounts = sim.accounts(args.account)
    body: dict[str, Any] = {"days": args.days, "accountIds": [a["id"] for a in accounts]}
    if args.seed is not None:
        body["seed"] = args.seed
    doc = sim.control("/sim/history", body, timeout=HISTORY_TIMEOUT)
    if not doc.get("success"):
        raise CliError(f"the sim refused: {doc.get('errorMessage') or doc}")
    if ctx.json:
        ctx.print_json({k: doc[k] for k in ("written", "skipped", "trades", "accounts", "seed")})
        return 0
    names = ", ".join(_account_label(a, ctx) for a in accounts)
    if doc["written"]:
        print(f"wrote {plural(len(doc['written']), 'trading day')} {doc['written'][0]} .. "
              f"{doc['written'][-1]} for {names}: {doc['trades']} trades (seed {doc['seed']})")
    if doc["skipped"]:
        print(f"skipped {plural(len(doc['skipped']), 'day')} that already have trades: "
              f"{', '.join(doc['skipped'])}")
    return 0


POSITION_TYPES = {1: "long", 2: "short"}
ORDER_TYPES = {1: "limit", 2: "market", 3: "stop limit", 4: "stop", 5: "trailing stop",
               6: "join bid", 7: "join ask"}
ORDER_STATUSES = {1: "open", 6: "pending", 7: "pending cancel", 8: "suspended"}


def show_positions(args, ctx, sim: SimClient) -> int:
    """The sim's own open positions (Position/searchOpen), by account: what a tester compares
    with riskctl positions (trial13a: the sim's view was read with curl)."""
    rows, doc = [], []
    for account in sim.accounts(args.account):
        found = sim.call("/api/Position/searchOpen", {"accountId": account["id"]})["positions"]
        doc.append({"accountId": account["id"], "name": account["name"], "positions": found})
        shown = _account_label(account, ctx)
        rows += [(shown, ticker_of(p["contractId"]), p["contractId"],
                  POSITION_TYPES.get(p["type"], p["type"]), p["size"], p["averagePrice"],
                  p["id"]) for p in found]
    if rows and not ctx.json:     # an average of fills, rounded as every screen rounds it
        ticks = sim.ticks()       # (trial 15a: 20995.583333333332)
        rows = [(*r[:5], average_price(r[5], ticks.get(r[2])), r[6]) for r in rows]
    if ctx.json:
        ctx.print_json({"accounts": doc})
    elif not rows:
        print(f"no open position at the sim ({_accounts_words(doc)})")
    else:
        print(render_table(("account", "symbol", "contract", "side", "size", "average price",
                            "position id"), rows))
    return 0


def show_orders(args, ctx, sim: SimClient) -> int:
    """The sim's own working orders (Order/searchOpen), by account."""
    rows, doc = [], []
    for account in sim.accounts(args.account):
        found = sim.call("/api/Order/searchOpen", {"accountId": account["id"]})["orders"]
        doc.append({"accountId": account["id"], "name": account["name"], "orders": found})
        shown = _account_label(account, ctx)
        rows += [(shown, o["id"], ticker_of(o["contractId"]),
                  "buy" if o["side"] == BUY else "sell", o["size"],
                  ORDER_TYPES.get(o["type"], o["type"]),
                  traded_price(o.get("limitPrice") if o.get("limitPrice") is not None
                               else o.get("stopPrice")),
                  ORDER_STATUSES.get(o["status"], o["status"])) for o in found]
    if ctx.json:
        ctx.print_json({"accounts": doc})
    elif not rows:
        print(f"no working order at the sim ({_accounts_words(doc)})")
    else:
        print(render_table(("account", "order", "symbol", "side", "size", "type", "price",
                            "status"), rows))
    return 0


def average_price(value: Any, tick: Optional[Decimal]) -> str:
    """An average of fills as every screen shows one (shared/showprice.py): to the decimals
    of its contract's prices (its tick size's), two when the tick is not known."""
    return fmt_price(None if value is None else Decimal(str(value)),
                     like=(tick,) if tick is not None else (Decimal("0.01"),))


def traded_price(value: Any) -> str:
    """An order's limit or stop, a traded price: all of its own digits, at least two."""
    return fmt_price(None if value is None else Decimal(str(value)))


def _accounts_words(doc: list[dict]) -> str:
    return "account " + ", ".join(str(d["accountId"]) for d in doc) if len(doc) == 1 else \
        plural(len(doc), "account") + " read"


def flatten(args, ctx, sim: SimClient) -> int:
    """Close every position and cancel every working order of the accounts. A position the
    sim no longer holds when this flatten's close arrives was closed meanwhile by another
    order (riskd's close, a held close carried out late): said as such, with that order, never
    as this flatten's nor left unsaid (trial18c: "closed 0 positions" while a sell closed the
    long that moment, 1 run of 2)."""
    done = []
    for account in sim.accounts(args.account):
        aid = account["id"]
        positions = sim.call("/api/Position/searchOpen", {"accountId": aid})["positions"]
        closed, meanwhile = [], []
        for p in positions:
            if _done(sim.api("/api/Position/closeContract",
                             {"accountId": aid, "contractId": p["contractId"]}),
                     "position", p["contractId"]):
                closed.append(p["contractId"])
            else:
                meanwhile.append(closed_meanwhile(sim, aid, p))
        orders = sim.call("/api/Order/v2/query", {
            "filter": {"accountId": aid, "statuses": WORKING_STATUSES}, "pageSize": 1000,
            "pageOffset": 0})["orders"]
        cancelled = [o["id"] for o in orders if _done(sim.api("/api/Order/cancel", {
            "accountId": aid, "orderId": o["id"]}), "order", o["id"])]
        done.append({"accountId": aid, "name": account["name"], "closed": closed,
                     "closedMeanwhile": meanwhile, "cancelled": cancelled,
                     "shown": _account_label(account, ctx)})
    if ctx.json:
        ctx.print_json({"accounts": [{k: v for k, v in d.items() if k != "shown"}
                                     for d in done]})
    else:
        for d in done:
            print(f"{d['shown']}: closed {plural(len(d['closed']), 'position')}"
                  f"{' ' + ', '.join(ticker_of(c) for c in d['closed']) if d['closed'] else ''}, "
                  f"cancelled {plural(len(d['cancelled']), 'order')}"
                  + "".join(f"; {meanwhile_words(m)}" for m in d["closedMeanwhile"]))
    return 0


SIDES = {0: "buy", 1: "sell"}
POSITION_SIDES = {1: "long", 2: "short"}


def closed_meanwhile(sim: SimClient, aid: int, position: dict) -> dict:
    """A position flatten read open but found flat when its close arrived: closed in between
    by another order. Which one: the account's last trade on that contract since the
    position opened (the trade that made it flat); orderId None when the sim shows none."""
    cid = position["contractId"]
    trades = sim.call("/api/Trade/search", {"accountId": aid,
                                            "startTimestamp": position["creationTimestamp"]}
                      )["trades"]
    on = [t for t in trades if t["contractId"] == cid and not t.get("voided")]
    last = max(on, key=lambda t: t["id"]) if on else None
    return {"contractId": cid, "side": POSITION_SIDES.get(position.get("type"), ""),
            "size": position.get("size"),
            "orderId": last["orderId"] if last else None,
            "order": f"{SIDES.get(last['side'], '?')} {last['size']}" if last else "",
            "at": last["creationTimestamp"] if last else ""}


def meanwhile_words(m: dict) -> str:
    """'MNQ long 1 was closed meanwhile by another order (order 9000023, sell 1), not by this
    flatten' (--json gives the trade's time: at)."""
    held = " ".join(str(x) for x in (ticker_of(m["contractId"]), m["side"], m["size"]) if x)
    if m["orderId"] is None:
        return f"{held} was flat when this flatten's close arrived: closed meanwhile, not by it"
    return (f"{held} was closed meanwhile by another order (order {m['orderId']}, "
            f"{m['order']}), not by this flatten")


# the codes Order/place answers with and no message (services/simbroker/entities.py Codes)
ORDER_CODES = {1: "account not found",
               2: "the order was rejected (the sim's market may be closed: POST /sim/market "
                  "{\"open\": true}, docs/simbroker.md)",
               8: "contract not found", 10: "account rejected"}


def refusal_words(path: str, doc: dict) -> str:
    """The broker's refusal in words: its message, else what its code means (trial 2026-12-06:
    'riskctl sim buy' with the market closed printed 'failed: None (error 2)')."""
    code, message = doc.get("errorCode"), doc.get("errorMessage")
    if message:
        return f"{message} (error {code})"
    meaning = ORDER_CODES.get(code) if path == "/api/Order/place" else None
    return f"{meaning} (error {code})" if meaning else f"error {code}, no message"


def _done(doc: dict, what: str, which: Any) -> bool:
    """A close or cancel went through; 'not found' means it was done already (not an error)."""
    if doc.get("success"):
        return True
    if doc.get("errorCode") == 2:
        return False
    raise CliError(f"could not flatten {what} {which}: {doc.get('errorMessage')} "
                   f"(error {doc.get('errorCode')})")
