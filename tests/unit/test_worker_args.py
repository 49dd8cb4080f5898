"""A riskd process's arguments (shared/worker.py parse_args): read without argparse as the
supervisor passes them (an ArgumentParser cost each of the seven processes ~0.8 MB), argparse's
help and errors for anything else."""
import subprocess
import sys

import pytest

from shared.worker import Args, parse_args
from tests.support.env import REPO

PROBE = """
import sys
from shared.worker import parse_args
args = parse_args("services.risk", sys.argv[1:])
print(args.config, args.config_snapshot, "argparse" in sys.modules, "shutil" in sys.modules)
"""


@pytest.mark.parametrize("argv, expected", [
    (["--config", "/etc/riskd.toml"], Args("/etc/riskd.toml")),
    (["--config=/etc/riskd.toml"], Args("/etc/riskd.toml")),
    (["--config", "c.toml", "--config-snapshot", "s.toml"], Args("c.toml", "s.toml")),
    (["--config-snapshot=s.toml", "--config", "c.toml"], Args("c.toml", "s.toml")),
    (["--config", "a b/riskd.toml"], Args("a b/riskd.toml")),
])
def test_the_supervisors_arguments(argv, expected):
    assert parse_args("services.risk", argv) == expected


def test_the_supervisors_arguments_need_no_argparse():
    out = subprocess.run([sys.executable, "-c", PROBE, "--config", "c.toml",
                          "--config-snapshot", "s.toml"], cwd=REPO, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["c.toml", "s.toml", "False", "False"]


@pytest.mark.parametrize("argv, said", [
    ([], "the following arguments are required: --config"),
    (["--config"], "expected one argument"),
    (["--config", "a", "--bogus"], "unrecognized arguments: --bogus"),
    (["--conf", "a"], "ambiguous option: --conf"),
    (["--config-snapshot", "s"], "the following arguments are required: --config"),
])
def test_anything_else_is_argparses_error(argv, said, capsys):
    with pytest.raises(SystemExit) as exit_:
        parse_args("services.risk", argv)
    assert exit_.value.code == 2 and said in capsys.readouterr().err


def test_help_is_argparses(capsys):
    with pytest.raises(SystemExit) as exit_:
        parse_args("services.risk", ["--help"])
    assert exit_.value.code == 0
    assert "--config-snapshot FILE" in capsys.readouterr().out


def test_a_repeated_option_is_read_as_argparse_reads_it():
    assert parse_args("x", ["--config", "a", "--config", "b"]) == Args("b")
