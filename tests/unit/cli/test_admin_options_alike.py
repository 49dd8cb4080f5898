"""Every admin edit takes --reason for the audit trail, and `riskctl flatten` takes --yes as
the other admin commands do (trial23b section 7: `flatten 1002 --reason x --yes` was refused
"unrecognized arguments: --yes"; `accounts set 1002 profile tight --reason x` and `config
reload --reason x` "unrecognized arguments: --reason"). The reason reaches riskd in the
request (the audit trail records the request's fields: services/supervisor/audit.py)."""
from __future__ import annotations

from types import SimpleNamespace

from cli.main import build_parser
from cli.commands import accounts, config
from shared.messages.accounts import AccountSet
from shared.messages.config import ConfigReload
from shared.messages.system import ok


def parse(*argv):
    return build_parser().parse_args(list(argv))


def test_flatten_takes_yes():
    args = parse("flatten", "1002", "--reason", "x", "--yes")
    assert args.yes and args.reason == "x"


class Sent:
    json = False
    config_path = "/nonexistent/riskd.toml"

    def __init__(self):
        self.sent = []

    def request(self, msg, **_kw):
        self.sent.append(msg)
        return ok(SimpleNamespace(), reason="done")


def test_accounts_set_sends_its_reason(monkeypatch):
    ctx = Sent()
    monkeypatch.setattr(accounts, "print_edited", lambda _ctx, _reply: 0)
    args = parse("accounts", "set", "1002", "display_name", "Eval 2", "--reason", "renamed")
    accounts.run(args, ctx)
    [sent] = [m for m in ctx.sent if isinstance(m, AccountSet)]
    assert sent.reason == "renamed", sent


def test_config_reload_sends_its_reason():
    ctx = Sent()
    config.reload(parse("config", "reload", "--reason", "hand edit of limits"), ctx)
    [sent] = ctx.sent
    assert isinstance(sent, ConfigReload) and sent.reason == "hand edit of limits", sent
