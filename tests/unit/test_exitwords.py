"""How a worker ended, in words (shared/exitwords.py): the supervisor's reason (`riskctl
workers`, status) and notify's crash alert say it alike. Trial 2026-12-05: "💥 Worker risk
crashed (exit code -9)"."""
from __future__ import annotations

from services.supervisor.policy import PolicySettings, WorkerPolicy
from shared.exitwords import exit_words


def test_a_signal_is_named_and_a_code_is_said_as_one():
    assert exit_words(-9) == "killed by signal 9 (SIGKILL)"
    assert exit_words(-15) == "killed by signal 15 (SIGTERM)"
    assert exit_words(1) == "exited with code 1"
    assert exit_words(78) == "refused to start: invalid config (exit 78)"
    assert exit_words(None) == "exited"


def test_the_supervisors_reason_of_a_killed_worker_names_the_signal():
    policy = WorkerPolicy(PolicySettings(), wanted=True, started_at=0.0)
    policy.exited(1.0, -9)
    assert policy.reason == "killed by signal 9 (SIGKILL)"
