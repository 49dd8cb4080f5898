"""The actions enforcement can execute, one module each, registered explicitly (name -> module)."""
from services.enforcement.actions import (cancel_orders, close_position, flatten, modify_stop,
                                          reduce_position)

ACTIONS = {}
for _module in (close_position, reduce_position, flatten, cancel_orders, modify_stop):
    if _module.NAME in ACTIONS:
        raise RuntimeError(f"action {_module.NAME!r} is registered twice")
    ACTIONS[_module.NAME] = _module

__all__ = ["ACTIONS"]
