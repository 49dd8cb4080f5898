"""One way to name an account: `--account A` on every command that names one, the positional
form kept, and usage errors under the command's own usage (trial 2026-12-05: `riskctl lockout
--account 1002 --until 15:40` gave "riskctl: error: unrecognized arguments: --account" under
riskctl's top-level usage, while `sim buy`, `logs` and `rules override` take --account)."""
from __future__ import annotations

import pytest

from cli.main import build_parser
from tests.unit.test_docs import all_parsers


def parse(*argv):
    return build_parser().parse_args(list(argv))


def refused(capsys, *argv) -> str:
    with pytest.raises(SystemExit) as exc:
        parse(*argv)
    assert exc.value.code == 2
    return capsys.readouterr().err


@pytest.mark.parametrize("argv, attr", [
    (["lockout", "--until", "15:40"], "account"),
    (["lockout", "--session"], "account"),
    (["unlock", "--reason", "r"], "account"),
    (["flatten", "--reason", "r"], "account"),
    (["rules", "list"], "account"),
    (["rules", "set", "max_contracts", "limit", "3"], "target"),
    (["rules", "enable", "max_contracts"], "target"),
    (["rules", "disable", "max_contracts"], "target"),
    (["rules", "override", "--reason", "r"], "account"),
    (["accounts", "enable"], "account"),
    (["accounts", "disable"], "account"),
    (["accounts", "set", "display_name", "Ana"], "account"),
    (["sim", "buy", "MNQ", "7"], "account"),
    (["logs"], "account"),
    (["history"], "account"),
    (["lockouts"], "account"),
    (["positions"], "account"),
    (["orders"], "account"),
])
def test_every_command_that_names_an_account_takes_the_account_option(argv, attr):
    cmd, rest = argv[:2] if argv[0] in ("rules", "accounts", "sim") else argv[:1], \
        argv[2:] if argv[0] in ("rules", "accounts", "sim") else argv[1:]
    args = parse(*cmd, "--account", "1002", *rest)
    assert getattr(args, attr) == "1002"
    args = parse(*cmd, *rest, "--account", "1002")         # anywhere on the line
    assert getattr(args, attr) == "1002"


def test_no_parser_has_an_account_positional_without_the_option():
    """Whatever command is added later: an ACCOUNT argument comes with --account."""
    for path, parser in all_parsers(build_parser()):
        positionals = [a for a in parser._actions if not a.option_strings   # noqa: SLF001
                       and "ACCOUNT" in str(a.metavar or a.dest).upper()]
        options = [s for a in parser._actions for s in a.option_strings]   # noqa: SLF001
        if positionals:
            assert "--account" in options, f"riskctl {' '.join(path)} takes an account " \
                f"only as {positionals[0].metavar or positionals[0].dest}, not --account"


@pytest.mark.parametrize("argv, attr", [
    (["lockout", "1002", "--until", "15:40"], "account"),
    (["unlock", "1002", "--reason", "r"], "account"),
    (["flatten", "1002", "--reason", "r"], "account"),
    (["rules", "list", "1002"], "account"),
    (["rules", "set", "1002", "max_contracts", "limit", "3"], "target"),
    (["rules", "set", "profile:default", "max_contracts", "limit", "3"], "target"),
    (["accounts", "set", "1002", "display_name", "Ana"], "account"),
    (["accounts", "disable", "1002"], "account"),
])
def test_the_positional_form_still_works(argv, attr):
    assert getattr(parse(*argv), attr) in ("1002", "profile:default")


def test_the_lockout_of_the_trial_parses():
    args = parse("lockout", "--account", "1002", "--until", "15:40")
    assert (args.account, args.until) == ("1002", "15:40")


def test_an_unknown_argument_is_refused_under_the_commands_usage(capsys):
    err = refused(capsys, "lockout", "1002", "--until", "15:40", "--acount", "1002")
    assert err.startswith("usage: riskctl lockout "), err
    assert "riskctl lockout: error: unrecognized arguments: --acount 1002" in err
    err = refused(capsys, "rules", "override", "--reason", "r", "--bogus")
    assert err.startswith("usage: riskctl rules override "), err
    assert "riskctl rules override: error: unrecognized arguments: --bogus" in err


def test_a_missing_or_doubled_account_is_a_usage_error_of_the_command(capsys):
    err = refused(capsys, "lockout", "--until", "15:40")
    assert err.startswith("usage: riskctl lockout ")
    assert "the account is required: ACCOUNT or --account ACCOUNT" in err
    err = refused(capsys, "lockout", "1001", "--account", "1002", "--until", "15:40")
    assert "the account given twice" in err
    assert parse("lockout", "1002", "--account", "1002", "--session").account == "1002"


def test_a_global_option_after_the_command_says_where_it_goes(capsys):
    err = refused(capsys, "lockout", "1002", "--session", "--config", "x.toml")
    assert err.startswith("usage: riskctl lockout ")
    assert ("unrecognized arguments: --config x.toml (--config goes before the command: "
            "riskctl --config ... lockout ...)") in err, err
