"""`riskctl sim fail` and `riskctl sim release`: make the sim's next broker calls of one
endpoint fail, answer late, or wait until released (the sim's POST /sim/fail and
/sim/release), so that a terminal user can try a failing, slow or held close without curl
(fresh-user trial 18a: `riskctl sim fail` was an invalid choice). docs/simbroker.md, Failing,
slow and held calls."""
from __future__ import annotations

from typing import Any, Optional

from cli.errors import CliError
from shared.plural import plural

FAIL_HELP = ("make the sim's next COUNT calls of ENDPOINT (e.g. Position/closeContract, "
             "riskd's close) fail with HTTP STATUS, or, with --status 200 --delay S, succeed "
             "S seconds late; with --hold too, wait until `riskctl sim release ENDPOINT` "
             "(docs/simbroker.md, Failing, slow and held calls)")
RELEASE_HELP = ("carry out and answer the calls of ENDPOINT that `riskctl sim fail ... --hold` "
                "holds now, and say what each did: took effect, refused by the broker, or not carried "
                "out (docs/simbroker.md, Failing, slow and held calls)")
ENDPOINT_HELP = ("a REST endpoint of the sim, with or without /api/: Position/closeContract, "
                 "Position/partialCloseContract, Order/place, Order/cancel, Order/modify, "
                 "Order/searchOpen, Position/searchOpen, ...")


def add_parsers(sub, add_account, add_json) -> None:
    p = sub.add_parser("fail", help=FAIL_HELP, description=FAIL_HELP)
    p.add_argument("endpoint", metavar="ENDPOINT", help=ENDPOINT_HELP)
    p.add_argument("--status", type=int, required=True, metavar="STATUS",
                   help="the HTTP status to answer (400 to 599), or 200 with --delay: a slow "
                        "success, carried out and answered late")
    p.add_argument("--count", type=int, default=1, metavar="COUNT",
                   help="how many calls (default 1); 0 takes back what is armed for ENDPOINT")
    p.add_argument("--delay", type=float, metavar="S",
                   help="answer only after S seconds (a caller with a shorter timeout gives up "
                        "first); with --status 200 the call is carried out then")
    p.add_argument("--hold", action="store_true",
                   help="with --status 200 --delay S: the call waits for `riskctl sim release "
                        "ENDPOINT` (S: the longest it waits), then is carried out")
    p.add_argument("--apply", action="store_true",
                   help="the failed call still takes effect; only its answer is lost")
    p.add_argument("--retry-after", type=float, metavar="S",
                   help="the Retry-After a 429 answers (default 1)")
    add_account(p, "every account's calls")
    add_json(p)
    p = sub.add_parser("release", help=RELEASE_HELP, description=RELEASE_HELP)
    p.add_argument("endpoint", metavar="ENDPOINT", help=ENDPOINT_HELP)
    add_json(p)


def endpoint_path(text: str) -> str:
    """'Position/closeContract' or '/api/Position/closeContract' as the sim takes it."""
    text = text.strip()
    if text.lower().startswith("/api/"):
        return text
    if text.lower().startswith("api/"):
        return "/" + text
    return "/api/" + text.lstrip("/")


def _control(sim, path: str, body: dict, timeout: Optional[float] = None) -> dict:
    doc = sim.control(path, body) if timeout is None else sim.control(path, body, timeout)
    if not doc.get("success"):
        raise CliError(f"the sim refused: {doc.get('errorMessage') or doc}")
    return doc


def fail(args, ctx, sim) -> int:
    from cli.commands.sim import _account_label
    if args.hold and not (args.status == 200 and args.delay):
        raise CliError("--hold is for a slow success: give --status 200 --delay S too (S: the "
                       "longest the call waits for `riskctl sim release`)")
    body: dict[str, Any] = {"endpoint": endpoint_path(args.endpoint), "status": args.status,
                            "count": args.count}
    account = None
    if args.account:
        account = sim.accounts(args.account)[0]
        body["accountId"] = account["id"]
    for flag, field in (("delay", "delay"), ("retry_after", "retryAfter")):
        if getattr(args, flag) is not None:
            body[field] = getattr(args, flag)
    if args.hold:
        body["hold"] = True
    if args.apply:
        body["apply"] = True
    doc = _control(sim, "/sim/fail", body)
    path = body["endpoint"]
    if ctx.json:
        ctx.print_json({"endpoint": path, "armed": doc.get("armed", {})})
        return 0
    if args.count <= 0:
        print(f"nothing armed for {path} any more: its calls are answered as usual")
        return 0
    whose = f" of {_account_label(account, ctx)}" if account is not None else ""
    calls = f"the next {plural(args.count, 'call')} of {path}{whose}"
    if args.status == 200 and args.hold:
        print(f"{calls} will wait until `riskctl sim release {path}` (at most "
              f"{args.delay:g} s), then be carried out and answered")
    elif args.status == 200 and args.delay:
        print(f"{calls} will be carried out {args.delay:g} s late and answered as usual")
    else:
        late = f", {args.delay:g} s late" if args.delay else ""
        applied = " (the call still takes effect: only its answer is lost)" if args.apply \
            else ""
        print(f"{calls} will answer HTTP {args.status}{late}{applied}")
    return 0


RELEASE_TIMEOUT_S = 10.0    # the sim answers once the calls it let go are carried out (3 s at most)


def release(args, ctx, sim) -> int:
    """Let the held calls go and say what each did, as the sim answers it once they are
    carried out (fresh-user trial 19b: "its held calls are carried out and answered" was said
    of a held close that never was)."""
    path = endpoint_path(args.endpoint)
    doc = _control(sim, "/sim/release", {"endpoint": path}, RELEASE_TIMEOUT_S)
    calls, earlier = doc.get("calls") or [], doc.get("earlier") or []
    if ctx.json:
        ctx.print_json({"released": doc.get("released", path), "calls": calls,
                        "earlier": earlier})
        return 0
    for line in release_lines(doc.get("released", path), calls, earlier,
                              _labels(sim, ctx, calls + earlier)):
        print(line)
    return 0


def _labels(sim, ctx, calls: list) -> dict:
    """Account id -> 'Demo 1 (id 1001)', for the accounts the calls name."""
    if not any(c.get("account") is not None for c in calls):
        return {}
    from cli.commands.sim import _account_label
    return {a["id"]: _account_label(a, ctx) for a in sim.accounts(None)}


def release_lines(path: str, calls: list, earlier: list, labels: dict) -> list[str]:
    """What a release did, a line per call: carried out (took effect, or refused by the
    broker), not carried out, or not finished when the sim answered."""
    if calls:
        lines = [f"released {plural(len(calls), 'held call')} of {path}:"]
    else:
        lines = [f"no call of {path} was held: nothing was released"]
    lines += [f"  {call_words(c, labels, path)}" for c in calls]
    if earlier:
        lines.append(f"before this release, {plural(len(earlier), 'held call')} of {path} "
                     f"went on by itself at its cap (--delay):")
        lines += [f"  {call_words(c, labels, path)}" for c in earlier]
    return lines


def call_words(call: dict, labels: dict, path: str) -> str:
    """'Demo 1 (id 1001) MNQ (CON.F.US.MNQ.Z26), held 18.2 s: carried out, it took effect'."""
    from cli.commands.sim import refusal_words
    from shared.symbols import ticker_of
    who = []
    if call.get("account") is not None:
        who.append(labels.get(call["account"], f"account {call['account']}"))
    if call.get("contractId"):
        who.append(f"{ticker_of(call['contractId'])} ({call['contractId']})")
    head = f"{' '.join(who) or 'a call'}, held {call.get('heldSeconds', 0):g} s"
    if not call.get("finished"):
        return (f"{head}: let go, but not carried out yet when the sim answered (see "
                f"`riskctl sim positions`)")
    if call.get("tookEffect"):
        return f"{head}: carried out, it took effect"
    if call.get("status") == 200:
        return (f"{head}: carried out, refused by the broker: "
                f"{refusal_words(path, call)}; it changed nothing")
    return f"{head}: NOT carried out: the sim answered it HTTP {call.get('status')}"
