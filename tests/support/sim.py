"""Waiting for a sim broker process: the one check every test that starts the sim uses."""
from __future__ import annotations

import requests

from tests.support.env import wait_for


def wait_sim_up(rest_url: str, timeout: float = 15.0) -> None:
    """Until the sim answers GET /sim/info on its REST port (fails after `timeout` s)."""
    wait_for(lambda: requests.get(rest_url + "/sim/info", timeout=1).ok, timeout,
             what=f"the sim broker at {rest_url}")
