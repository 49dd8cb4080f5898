"""riskctl imports what the command it runs needs, nothing more: its start-up is most of its
CPU, and `make test` runs it hundreds of times against a 10-minute budget on 2 cores (round
17: `riskctl --help` imported every command, the watch screen, replay's engine and requests;
every command imported the bus, the message catalog and the config reader with cli/context.py,
and the rules' words imported tomlkit to read '500').

Each case runs riskctl in a fresh interpreter (what a test's or a user's riskctl run is) and
lists the modules it ended with; etc/riskd.toml as shipped is the config."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from cli.commands import NAMES, load, outline
from cli.main import build_parser
from tests.support.env import REPO

SHIPPED = os.path.join(REPO, "etc", "riskd.toml")
# neither `--help` nor `status` needs any of these
NEVER = ("bcrypt", "blessed", "requests", "urllib3", "http.cookiejar", "tomlkit",
         "cli.replay", "shared.projectx", "services.risk", "services.simbroker",
         "services.market", "services.enforcement", "services.notify")
# nor does `--help` need riskd's bus, its messages or any command
NOT_FOR_HELP = NEVER + ("zmq", "cattrs", "msgpack", "sqlite3", "attrs", "shared.messages",
                        "shared.config", "cli.watch", "cli.configfile", "cli.session")


def modules_after(script: str) -> set[str]:
    """The modules a fresh interpreter holds after running script (riskctl's own
    environment: the repo folder, no bytecode cache needed)."""
    code = textwrap.dedent(script) + textwrap.dedent("""
        import json, sys
        sys.__stdout__.write("\\n@@" + json.dumps(sorted(sys.modules)))
        """)
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=60, env={**os.environ, "RISKD_CONFIG": SHIPPED})
    assert "@@" in done.stdout, done.stdout + done.stderr
    return set(json.loads(done.stdout.rsplit("@@", 1)[1]))


def heavy(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


def run_riskctl(*argv: str) -> str:
    return f"""
        import contextlib, io
        from cli.main import main
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            try:
                main({list(argv)!r})
            except SystemExit:
                pass
        """


def test_riskctl_help_imports_no_command_nor_riskds_bus():
    assert heavy(modules_after(run_riskctl("--help")), NOT_FOR_HELP) == []
    assert heavy(modules_after(run_riskctl("no-such-command")), NOT_FOR_HELP) == []


def test_riskctl_status_imports_nothing_it_does_not_use():
    """`riskctl status` with riskd stopped (a unit test runs no riskd: the import of the
    command and its first steps); the figures of a running riskd's rules are read below."""
    assert heavy(modules_after(run_riskctl("status")), NEVER) == []
    assert heavy(modules_after(run_riskctl("status", "--help")), NEVER) == []


def test_status_reads_the_config_and_words_the_rules_without_tomlkit():
    """What `riskctl status` does with a running riskd's answer beyond the above: the config
    file read leniently (cli/configfile.tables) and every rule parameter of the shipped
    profile worded as the screen words it (shared/rulenumbers.params_texts: '500' ->
    '500.00', '"reduce"' -> 'reduce'), given as risk puts them on the wire (human_value, which
    riskd runs: here, outside the riskctl run)."""
    import attrs

    from shared.config import load_config
    from shared.config.checks import profile_rules
    from shared.config.convert import human_value
    rules = profile_rules(load_config(SHIPPED).config, "default")
    wire = {f.name: {p.name: human_value(getattr(getattr(rules, f.name), p.name))
                     for p in attrs.fields(type(getattr(rules, f.name)))}
            for f in attrs.fields(type(rules))}
    assert sum(len(params) for params in wire.values()) > 20, wire
    modules = modules_after(f"""
        from cli import configfile
        from shared.rulenumbers import params_texts
        assert configfile.tables({SHIPPED!r})["bus"]["control"]
        for rule, params in {wire!r}.items():
            params_texts(rule, params)
        """)
    assert heavy(modules, ("tomlkit",)) == []


def test_riskctls_help_lists_the_commands_as_their_modules_say():
    """`riskctl --help` reads each command from its source (cli/commands.outline), not by
    importing it: the same docstring, ROLE, OFFLINE and READ, and the same help printed."""
    for name in NAMES:
        module, seen = load(name), outline(name)
        assert (seen.__doc__, seen.ROLE, seen.OFFLINE, seen.READ) == (
            module.__doc__, getattr(module, "ROLE", ""), getattr(module, "OFFLINE", False),
            getattr(module, "READ", False)), name
    assert build_parser(outlines=True).format_help() == build_parser().format_help()
