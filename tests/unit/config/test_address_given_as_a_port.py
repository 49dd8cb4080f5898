"""An address key given a bare port says the form it wants (trial23a finding 8: docs/operations.md
named `[bus] risk_shards_from` by its default port, 5640; `risk_shards_from = 27340` was refused
"bus.risk_shards_from: expected a string, got 27340 (line 40)", not which string). The shipped
file with that one line added."""
from __future__ import annotations

from tests.unit.config.test_problem_where import TEXT, line_no, problems


def test_a_port_for_an_address_names_the_address_form():
    bad = TEXT.replace("[bus]\n", "[bus]\nrisk_shards_from = 27340\n", 1)
    [problem] = problems(bad)
    assert problem.startswith("bus.risk_shards_from: expected an address like "
                              "tcp://127.0.0.1:5570, got 27340"), problem
    assert f"(line {line_no(bad, 'risk_shards_from = 27340')}" in problem, problem


def test_every_address_key_says_its_form():
    bad = TEXT.replace("[bus]\n", "[bus]\nlogging_in = true\n", 1)
    [problem] = problems(bad)
    assert problem.startswith("bus.logging_in: expected an address like tcp://127.0.0.1:5570, "
                              "got True"), problem

