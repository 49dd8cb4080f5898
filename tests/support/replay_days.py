"""Trading days written by hand for replay tests and the bench: fills priced the way the broker
books them (average-price PnL on the closing fill, a fee per contract), and one-minute bars."""
from __future__ import annotations

import itertools
from decimal import Decimal

import attrs

from cli.replay.model import NS, AccountHistory, Bar
from cli.replay.riskdrecords import LiveClose
from shared.messages.enforce import CloseOrder, CommandResult
from shared.messages.market import (SIDE_BUY, SIDE_SELL, STATUS_FILLED, ContractInfo, Fill,
                                    OrderUpdate)
from tests.unit.risk.desk import CONTRACTS as RISK_CONTRACTS
from tests.unit.risk.desk import ES, MNQ, NQ, D, chi  # noqa: F401 -- the same desk's names

MES = "CON.F.US.MES.Z26"    # 5 USD a point
CL = "CON.F.US.CLE.Z26"     # tick 0.01 = 10 USD: 1000 USD a point
CONTRACTS = {     # MNQ 2 USD a point, ES 50, NQ 20 (the risk tests' desk), plus MES and CL
    **RISK_CONTRACTS,
    MES: ContractInfo(contract_id=MES, name="MESZ6", tick_size=Decimal("0.25"),
                      tick_value=Decimal("1.25"), symbol="F.US.MES"),
    CL: ContractInfo(contract_id=CL, name="CLZ6", tick_size=Decimal("0.01"),
                     tick_value=Decimal("10.00"), symbol="F.US.CLE"),
}
FEE = {MNQ: Decimal("0.50"), ES: Decimal("1.00"), NQ: Decimal("1.00"), MES: Decimal("0.50"),
       CL: Decimal("1.00")}
MINUTE = 60 * NS


class Days:
    """One account's history, written fill by fill."""

    def __init__(self, account_id: int = 1001, name: str = "SIM-DEMO-1", balance=50_000):
        self.h = AccountHistory(account_id=account_id, name=name, balance=D(balance),
                                contracts=dict(CONTRACTS))
        self._ids = itertools.count(1)
        self._net: dict[str, int] = {}
        self._avg: dict[str, Decimal] = {}

    def trade(self, ts_ns: int, contract: str, side: str, size: int, price,
              order_id: int | None = None) -> Fill:
        """A fill; its pnl is the broker's: (price - average) x closed size x point value."""
        price = D(price)
        q = size if side == "buy" else -size
        net = self._net.get(contract, 0)
        c = CONTRACTS[contract]
        mult = c.tick_value / c.tick_size
        pnl = None
        if net and (net > 0) != (q > 0):
            closed = min(abs(q), abs(net))
            pnl = (price - self._avg[contract]) * closed * mult * (1 if net > 0 else -1)
            rest = abs(q) - closed
            if rest:
                self._avg[contract] = price
        elif net:
            self._avg[contract] = (self._avg[contract] * abs(net) + price * size) / (abs(net)
                                                                                     + size)
        else:
            self._avg[contract] = price
        self._net[contract] = net + q
        tid = next(self._ids)
        fill = Fill(account_id=self.h.account_id, trade_id=tid, contract_id=contract,
                    ts_ns=ts_ns, price=price, pnl=pnl, fees=FEE[contract] * size,
                    side=SIDE_BUY if side == "buy" else SIDE_SELL, size=size,
                    order_id=order_id if order_id is not None else 10_000 + tid)
        self.h.fills.append(fill)
        return fill

    def order(self, order_id: int, contract: str, side: str, size: int, created_ns: int,
              updated_ns: int, status: int, limit=None) -> OrderUpdate:
        """An order as Order/search reports it: its last state (2 filled, 3 cancelled...)."""
        o = OrderUpdate(account_id=self.h.account_id, order_id=order_id, contract_id=contract,
                        created_ns=created_ns, updated_ns=updated_ns, status=status,
                        type=1 if limit is not None else 2,
                        side=SIDE_BUY if side == "buy" else SIDE_SELL, size=size,
                        limit_price=None if limit is None else D(limit))
        self.h.orders.append(o)
        return o

    def bars(self, contract: str, start_ns: int, ohlc: list) -> None:
        """Consecutive one-minute bars from start_ns; a number is a flat bar at that price."""
        out = self.h.bars.setdefault(contract, [])
        for i, b in enumerate(ohlc):
            o, h, lo, c = (b, b, b, b) if not isinstance(b, (tuple, list)) else b
            out.append(Bar(ts_ns=start_ns + i * MINUTE, open=D(o), high=D(h), low=D(lo),
                           close=D(c), volume=1))
        out.sort(key=lambda b: b.ts_ns)

    def history(self) -> AccountHistory:
        self.h.fills.sort(key=lambda f: f.ts_ns)
        return self.h


class BrokerOfDays:
    """An in-test data source answering the replay's read calls from Days histories, counting
    the calls, and failing the next `fail[endpoint]` calls with BrokerUnavailable (as the
    client does once its own retries are spent). Used until the sim serves retrieveBars, and
    by the bench, where no broker should be in the measurement."""

    def __init__(self, *histories: AccountHistory, orders: bool = False):
        from shared.projectx.models import Account
        self.histories = {h.account_id: h for h in histories}
        self.serve_orders = orders        # Order/search answers the histories' orders
        self.accounts = [Account(id=h.account_id, name=h.name, balance=h.balance,
                                 can_trade=True) for h in histories]
        self.calls = 0
        self.logins = 0
        self.by_endpoint: dict[str, int] = {}
        self.fail: dict[str, int] = {}

    def _hit(self, endpoint: str) -> None:
        if self.fail.get(endpoint, 0) > 0:
            self.fail[endpoint] -= 1
            from shared.projectx.errors import BrokerUnavailable
            raise BrokerUnavailable(endpoint, 4, "HTTP 500")
        self.calls += 1
        self.by_endpoint[endpoint] = self.by_endpoint.get(endpoint, 0) + 1

    def search_accounts(self, only_active=True):
        self._hit("/api/Account/search")
        return list(self.accounts)

    def search_trades(self, account_id, start_ns, end_ns=None):
        from shared.projectx.models import Trade
        self._hit("/api/Trade/search")
        return [Trade(id=f.trade_id, account_id=f.account_id, contract_id=f.contract_id,
                      created_ns=f.ts_ns, price=f.price, profit_and_loss=f.pnl, fees=f.fees,
                      side=f.side, size=f.size, voided=f.voided, order_id=f.order_id)
                for f in self.histories[account_id].fills if start_ns <= f.ts_ns < end_ns]

    def search_orders(self, account_id, start_ns, end_ns=None):
        from shared.projectx.models import Order
        self._hit("/api/Order/search")
        if not self.serve_orders:
            return []
        return [Order(id=o.order_id, account_id=o.account_id, contract_id=o.contract_id,
                      created_ns=o.created_ns, updated_ns=o.updated_ns, status=o.status,
                      type=o.type, side=o.side, size=o.size, limit_price=o.limit_price,
                      stop_price=o.stop_price, fill_volume=o.fill_volume,
                      filled_price=o.filled_price)
                for o in self.histories[account_id].orders
                if start_ns <= o.created_ns < end_ns]

    def contract_by_id(self, contract_id):
        from shared.projectx.models import Contract
        self._hit("/api/Contract/searchById")
        c = CONTRACTS[contract_id]
        return Contract(id=c.contract_id, name=c.name, description="", tick_size=c.tick_size,
                        tick_value=c.tick_value)

    def retrieve_bars(self, contract_id, start_ns, end_ns, unit=2, unit_number=1, limit=20000):
        self._hit("/api/History/retrieveBars")
        bars = [b for h in self.histories.values() for b in h.bars.get(contract_id, [])
                if start_ns <= b.ts_ns < end_ns]
        return sorted({b.ts_ns: b for b in bars}.values(), key=lambda b: b.ts_ns)[:limit]

    def close(self):
        pass


def shipped_config(folder, **sections) -> str:
    """etc/riskd.toml as shipped (its rules, accounts and comments) with every address on a
    free loopback port and the data dir in `folder`; `sections` are merged over it."""
    import os

    import tomlkit

    from shared.config.sections import BusConfig
    from tests.support.env import REPO, deep_merge
    from tests.support.ports import free_ports
    with open(os.path.join(REPO, "etc", "riskd.toml"), encoding="utf-8") as fh:
        doc = tomlkit.parse(fh.read())
    keys = BusConfig.address_keys()
    ports = free_ports(len(keys) + 2)
    doc["paths"]["data_dir"] = os.path.join(str(folder), "data")
    for k, p in zip(keys, ports):
        doc["bus"][k] = f"tcp://127.0.0.1:{p}"
    doc["broker"]["sim"]["port"] = ports[-2]
    doc["broker"]["sim"]["hub_port"] = ports[-1]
    for name, table in sections.items():
        current = doc.get(name)
        doc[name] = deep_merge(current.unwrap(), table) if current is not None else table
    path = os.path.join(str(folder), "riskd.toml")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(tomlkit.dumps(doc))
    return path


def recorded(d: Days, rec, t0: int, rows, riskds: int = 9100) -> None:
    """MNQ fills at 21000 written to the history `d` with their filled orders, rows (offset
    from t0, side, size, order id), and to riskd's records `rec` (RiskdRecords) with live
    risk's verdict: riskd's own close from order id `riskds` up."""
    for at, side, size, oid in rows:
        f = d.trade(t0 + at, MNQ, side, size, 21000, order_id=oid)
        d.order(oid, MNQ, side, size, t0 + at, t0 + at, STATUS_FILLED)
        rec.add_fill(attrs.evolve(f, by_riskd=oid >= riskds))


def riskds_reduce(rec, account_id: int, at: int, reason: str, finished: int, orders=(),
                  unsettled=()) -> None:
    """riskd's max_contracts reduce of MNQ decided at `at` in `reason`'s words (its event timed
    by the decision), its result done at `finished` naming `orders` ((order id, side, size)),
    its calls `unsettled` (LostCall), as the risk worker and enforcement leave them."""
    rec.closes.append(LiveClose(at, "max_contracts", "reduce_position", MNQ, "d1", "d1.1",
                                reason=reason, event_ns=at))
    rec.outcomes([CommandResult(
        command_id="d1.1", account_id=account_id, status="done", action="reduce_position",
        rule="max_contracts", finished_ns=finished, orders_known=True,
        close_orders=[CloseOrder(order_id=oid, contract_id=MNQ, side=side, size=size,
                                 answered=True) for oid, side, size in orders],
        unsettled=list(unsettled))])
