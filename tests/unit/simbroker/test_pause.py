"""POST /sim/pause says which way it goes (trial 2026-12-05: docs/simbroker.md had "`ticks`:
bool, stops or resumes the random walk", and {"ticks": true} resumes it, the opposite of what
"pause" suggests). {"paused": true} pauses, {"paused": false} resumes; the old body still
works; an empty body no longer pauses by accident."""
from __future__ import annotations

import json
import re
import types

import pytest

from services.simbroker.controls import Controls
from tests.unit.test_docs import read


def pause(body) -> tuple[int, dict, bool]:
    gateway = types.SimpleNamespace(ticks_enabled=True)
    controls = Controls(gateway, hubs=None, info={})
    reply = controls.handle("POST", "/sim/pause", json.dumps(body).encode())
    return reply.status, json.loads(reply.body), gateway.ticks_enabled


@pytest.mark.parametrize("body, walking", [
    ({"paused": True}, False), ({"paused": False}, True),
    ({"ticks": False}, False), ({"ticks": True}, True),          # the old body, unchanged
    ({"paused": True, "ticks": False}, False),
])
def test_paused_true_pauses_and_the_old_ticks_body_still_works(body, walking):
    status, doc, ticks_enabled = pause(body)
    assert status == 200 and ticks_enabled is walking
    assert doc["paused"] is (not walking) and doc["ticks"] is walking


@pytest.mark.parametrize("body", [{}, {"paused": True, "ticks": True}, {"paused": "yes"}])
def test_an_empty_or_contradicting_body_is_refused_and_changes_nothing(body):
    status, doc, ticks_enabled = pause(body)
    assert status == 400 and ticks_enabled is True
    assert "paused" in json.dumps(doc)


def test_the_doc_says_which_value_pauses():
    [row] = [x for x in read("docs/simbroker.md").splitlines() if "`POST /sim/pause`" in x]
    assert '`{"paused": true}` stops the random walk' in row
    assert re.search(r'`\{"ticks": false\}` pauses and `\{"ticks": true\}` resumes', row)
