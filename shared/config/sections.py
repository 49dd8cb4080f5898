"""Config sections of the spine: [bus], [paths], [broker], [supervisor], [logging].

Every field has a default so the embedded config can stay short; validators
explain what was expected.
"""
from __future__ import annotations

import datetime

import attrs

from shared import quietprice, shards
from shared.config.validators import (FieldError, http_url, in_range, is_loopback, non_negative,
                                      one_of, positive, tcp_address, whole_number)

WORKER_NAMES = ("simbroker", "logging", "notify", "market", "risk", "enforcement")


def _addr(port: int):
    return attrs.field(default=f"tcp://127.0.0.1:{port}", validator=tcp_address)


@attrs.frozen(kw_only=True)
class BusConfig:
    """Every ZeroMQ address riskd binds; all on loopback unless allow_remote is set."""
    allow_remote: bool = False
    control: str = _addr(5570)            # supervisor ROUTER for riskctl
    events: str = _addr(5571)             # supervisor PUB (worker states, config reloads)
    market_pub: str = _addr(5572)
    market_control: str = _addr(5573)
    risk_pub: str = _addr(5574)
    risk_control: str = _addr(5575)
    enforcement_pub: str = _addr(5576)
    enforcement_control: str = _addr(5577)
    enforcement_commands: str = _addr(5578)
    logging_pub: str = _addr(5579)
    logging_control: str = _addr(5580)
    logging_in: str = _addr(5581)
    notify_pub: str = _addr(5582)
    notify_control: str = _addr(5583)
    simbroker_pub: str = _addr(5584)
    simbroker_control: str = _addr(5585)
    # risk shards 1 .. N-1 ([supervisor] risk_shards > 1) bind the port pairs counted from here:
    # pub on port + 2(k-1), control on port + 2(k-1) + 1 (shared/shards.py, docs/scaling.md)
    risk_shards_from: str = _addr(5640)

    def __attrs_post_init__(self) -> None:
        addresses = [(f.name, getattr(self, f.name)) for f in attrs.fields(type(self))
                     if f.name != "allow_remote"]
        if not self.allow_remote:
            remote = [name for name, a in addresses if not is_loopback(a)]
            if remote:
                raise FieldError(remote[0], "expected a loopback address (set allow_remote = "
                                 f"true to bind elsewhere), got {getattr(self, remote[0])!r}"
                                 + (f" (also non-loopback: {', '.join(remote[1:])})"
                                    if remote[1:] else ""))
        seen: dict[str, str] = {}
        for name, a in addresses:
            if a in seen:
                raise FieldError(name, f"expected a distinct address per endpoint, got {a!r} "
                                 f"for both {seen[a]} and {name}")
            seen[a] = name

    def pub(self, worker: str) -> str:
        index = shards.index_of(worker)
        if index is not None:
            return shards.addresses(self, index)[0]
        return getattr(self, f"{worker}_pub")

    def control_of(self, worker: str) -> str:
        index = shards.index_of(worker)
        if index is not None:
            return shards.addresses(self, index)[1]
        return getattr(self, f"{worker}_control")

    @staticmethod
    def address_keys() -> list[str]:
        return [f.name for f in attrs.fields(BusConfig) if f.name != "allow_remote"]


@attrs.frozen(kw_only=True)
class PathsConfig:
    """Directories; relative paths are relative to the config file's folder."""
    data_dir: str = "data"
    log_dir: str = ""     # empty: <data_dir>/logs


@attrs.frozen(kw_only=True)
class SimAccount:
    id: int
    name: str
    balance: float = attrs.field(default=50_000.0, validator=positive)
    can_trade: bool = True


def _default_sim_accounts() -> list[SimAccount]:
    return [SimAccount(id=1001, name="SIM-DEMO-1"), SimAccount(id=1002, name="SIM-DEMO-2")]


@attrs.frozen(kw_only=True)
class SimConfig:
    """The built-in sim broker (only used when broker.kind = "sim").

    REST on http://host:port, the SignalR hubs on http://host:hub_port/hubs/{user,market}.
    tick_interval = 0 turns the random walk off (prices move only through POST /sim/quote).
    fees: per-contract fee per fill keyed by ticker or root (e.g. {MNQ = 0.37, ES = 1.40});
    a contract not named keeps its default (0.37 micros, 1.40 the rest).
    """
    host: str = "127.0.0.1"
    port: int = attrs.field(default=5600, validator=in_range(1, 65535))
    hub_port: int = attrs.field(default=5601, validator=in_range(1, 65535))
    seed: int = 7
    tick_interval: float = attrs.field(default=0.25, validator=non_negative)
    token_ttl: float = attrs.field(default=86400.0, validator=positive)
    wrap_events: bool = True              # TopstepX style: arguments [{"action", "data"}]; false: bare
    negotiate_ttl: float = attrs.field(default=5.0, validator=positive)  # s a negotiated id lasts
    calendar_date: str = ""               # YYYY-MM-DD the contract calendar uses; "": today (UTC)
    persist: bool = True                  # keep accounts, orders, trades, bars in <data_dir>/simbroker.sqlite3
    tls: bool = False                     # HTTPS/WSS with a CA it makes in <data_dir>/sim-tls (docs/simbroker.md)
    # a fill's user-hub events: "trade_first" (TopstepX), "position_first" or "random" (drawn
    # from `seed`); duplicate_fills sends each of them twice (services/simbroker/ordering.py)
    event_order: str = attrs.field(default="trade_first",
                                   validator=one_of("trade_first", "position_first", "random"))
    duplicate_fills: bool = False
    legacy_contract_by_id: bool = False   # Contract/searchById answers contracts: [...]
    spread_ticks: int = attrs.field(default=1, validator=in_range(0, 100))
    ping_interval: float = attrs.field(default=15.0, validator=positive)
    client_timeout: float = attrs.field(default=30.0, validator=non_negative)  # 0: never
    rate_limit: int = attrs.field(default=0, validator=non_negative)   # calls per 60 s; 0: off
    history_rate_limit: int = attrs.field(default=50, validator=non_negative)  # per 30 s; 0: off
    fees: dict[str, float] = attrs.Factory(dict)
    accounts: list[SimAccount] = attrs.Factory(_default_sim_accounts)

    def __attrs_post_init__(self) -> None:
        if self.hub_port == self.port:
            raise FieldError("hub_port", f"expected a hub_port other than port {self.port}, "
                             f"got {self.hub_port}")
        negative = {k: v for k, v in self.fees.items() if v < 0}
        if negative:
            raise FieldError("fees", f"expected fees of 0 or more, got {negative}")
        ids = [a.id for a in self.accounts]
        if len(set(ids)) != len(ids):
            raise FieldError("accounts", f"expected distinct account ids, got {ids}")
        if self.calendar_date:
            try:
                datetime.date.fromisoformat(self.calendar_date)
            except ValueError:
                raise FieldError("calendar_date", f"expected a date like 2026-12-04 (or \"\" for "
                                 f"today), got {self.calendar_date!r}") from None

    def public_host(self) -> str:
        """The host clients connect to (a wildcard bind address means this machine)."""
        return "127.0.0.1" if self.host in ("", "0.0.0.0", "::", "[::]") else self.host


@attrs.frozen(kw_only=True)
class BrokerConfig:
    """Where the broker is. For kind = "sim" the URLs are derived from [broker.sim]."""
    kind: str = attrs.field(default="sim", validator=one_of("sim", "projectx"))
    rest_url: str = attrs.field(default="https://api.topstepx.com", validator=http_url)
    user_hub: str = attrs.field(default="https://rtc.topstepx.com/hubs/user", validator=http_url)
    market_hub: str = attrs.field(default="https://rtc.topstepx.com/hubs/market",
                                  validator=http_url)
    user_name: str = "sim-user"
    api_key: str = attrs.field(default="sim-api-key", repr=False)
    timeout: float = attrs.field(default=10.0, validator=positive)
    # the broker's REST rate limit per login (ProjectX: 200 calls per 60 s); enforcement budgets it
    rate_limit: int = attrs.field(default=200, validator=positive)
    rate_window: float = attrs.field(default=60.0, validator=positive)
    # s between the SignalR pings riskd sends on each hub (a server drops a client silent 30 s)
    keepalive: float = attrs.field(default=10.0, validator=positive)
    # s without a quote on a watched contract during trading hours: the feed is stale (market
    # reconnects the hub, risk says a held price is stale; docs/operations.md, A quiet quote
    # feed). Read at start by market and risk (shared/quietprice.stale_after).
    stale_after: float = attrs.field(default=quietprice.STALE_AFTER_S,
                                     validator=in_range(1, 3600))
    # a PEM file of CAs to trust instead of the system's (a corporate proxy, the sim's
    # <data_dir>/sim-tls/ca.pem); "" = the system's. Verification is never skipped.
    ca_bundle: str = ""
    sim: SimConfig = attrs.Factory(SimConfig)

    def endpoints(self) -> tuple[str, str, str]:
        """(rest_url, user_hub, market_hub): derived from [broker.sim] for kind "sim",
        else the configured URLs. The one place the client and the CLI read them."""
        if self.kind == "sim":
            host = self.sim.public_host()
            scheme = "https" if self.sim.tls else "http"
            hubs = f"{scheme}://{host}:{self.sim.hub_port}/hubs"
            return f"{scheme}://{host}:{self.sim.port}", f"{hubs}/user", f"{hubs}/market"
        return self.rest_url.rstrip("/"), self.user_hub, self.market_hub


@attrs.frozen(kw_only=True)
class SupervisorConfig:
    """Which workers run, and the restart policy."""
    workers: list[str] = attrs.Factory(lambda: list(WORKER_NAMES))
    modules: dict[str, str] = attrs.Factory(dict)     # name -> python module, for tests/plugins
    heartbeat_timeout: float = attrs.field(default=5.0, validator=positive)
    startup_timeout: float = attrs.field(default=15.0, validator=positive)
    stop_timeout: float = attrs.field(default=5.0, validator=positive)
    # the whole ordered stop of every worker (riskd's own stop); NSSM's stop window is derived
    # from it by winservice/install.py, systemd's TimeoutStopSec must stay above it
    shutdown_timeout: float = attrs.field(default=10.0, validator=positive)
    backoff_initial: float = attrs.field(default=1.0, validator=positive)
    backoff_max: float = attrs.field(default=30.0, validator=positive)
    flapping_crashes: int = attrs.field(default=5, validator=in_range(2, 1000))
    flapping_window: float = attrs.field(default=60.0, validator=positive)
    flapping_backoff: float = attrs.field(default=120.0, validator=positive)
    stable_after: float = attrs.field(default=60.0, validator=non_negative)
    # risk as N processes, each owning the accounts whose id % N is its index (docs/scaling.md)
    risk_shards: int = attrs.field(default=1, validator=whole_number(1, shards.MAX_SHARDS))

    def __attrs_post_init__(self) -> None:
        unknown = [w for w in [*self.workers, *self.modules] if w not in WORKER_NAMES]
        if unknown:
            raise FieldError("workers", f"expected worker names from {', '.join(WORKER_NAMES)} "
                             f"(modules only swaps the code a known worker runs), got {unknown}")
        if len(set(self.workers)) != len(self.workers):
            raise FieldError("workers", f"expected each worker once, got {self.workers}")

    def module_of(self, name: str) -> str:
        name = shards.base_name(name)
        return self.modules.get(name, f"services.{'logsink' if name == 'logging' else name}")

    def worker_names(self) -> list[str]:
        """The processes to run: `workers`, with "risk" as its shards when risk_shards > 1."""
        return [n for w in self.workers
                for n in (shards.names(self.risk_shards) if w == shards.RISK else [w])]


LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _process_levels(_inst, attribute, value: dict) -> None:
    for name, level in value.items():
        if name not in (*WORKER_NAMES, "supervisor"):
            raise FieldError(f"{attribute.name}.{name}", "expected a process name from "
                             + ", ".join((*WORKER_NAMES, "supervisor")) + f", got {name!r}")
        if level not in LEVELS:
            raise FieldError(f"{attribute.name}.{name}", "expected one of "
                             + ", ".join(repr(x) for x in LEVELS) + f", got {level!r}")


@attrs.frozen(kw_only=True)
class LoggingConfig:
    level: str = attrs.field(default="INFO", validator=one_of(*LEVELS))
    # per process (worker name or "supervisor"), e.g. {market = "DEBUG"}; others use `level`
    levels: dict[str, str] = attrs.field(factory=dict, validator=_process_levels)
    rotate_bytes: int = attrs.field(default=50 * 1024 * 1024, validator=positive)
    keep_files: int = attrs.field(default=10, validator=in_range(1, 1000))   # rotated files kept
    queue_limit: int = attrs.field(default=10_000, validator=in_range(100, 10_000_000))  # per sender
    sink_queue: int = attrs.field(default=200_000, validator=in_range(1000, 50_000_000))  # logsink in

    def level_for(self, process: str) -> str:
        """The log level of one process: its entry in `levels`, else `level`."""
        return self.levels.get(process, self.level)

