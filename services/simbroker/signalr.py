"""The SignalR JSON hub protocol as the sim's hubs speak it: records, handshake, messages.

Pure: text in, text out. A record is one JSON object followed by the record
separator 0x1E; one websocket frame may hold several records (both ways).
Message types: 1 invocation, 3 completion, 6 ping, 7 close.
"""
from __future__ import annotations

import json
from typing import Any, Iterable, Optional

RS = "\x1e"
INVOCATION, STREAM_ITEM, COMPLETION, STREAM_INVOCATION, CANCEL_INVOCATION, PING, CLOSE = (
    1, 2, 3, 4, 5, 6, 7)

HANDSHAKE_OK = "{}" + RS
PING_RECORD = json.dumps({"type": PING}) + RS


def split_records(frame: str) -> list[str]:
    """A websocket text frame -> its records (without separators); empty pieces dropped."""
    return [r for r in frame.split(RS) if r.strip()]


def record(message: dict) -> str:
    return json.dumps(message, separators=(",", ":")) + RS


def parse_handshake(text: str) -> Optional[str]:
    """None if the handshake asks for JSON version 0 or 1 (what ASP.NET accepts), else the error."""
    try:
        request = json.loads(text)
    except ValueError:
        return f"expected a JSON handshake, got {text[:80]!r}"
    if not isinstance(request, dict) or request.get("protocol") != "json":
        return f"The protocol '{request.get('protocol') if isinstance(request, dict) else request}' is not supported."
    version = request.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or not 0 <= version <= 1:
        return f"The server does not support version {version} of the 'json' protocol."
    return None


def handshake_error(message: str) -> str:
    return record({"error": message})


def invocation(target: str, arguments: Iterable[Any]) -> str:
    return record({"type": INVOCATION, "target": target, "arguments": list(arguments)})


def invocation_raw(target: str, contract_id: str, data_json: str) -> str:
    """A market-hub invocation (contractId, data) whose data is JSON text already."""
    return invocation_head(target, contract_id) + data_json + INVOCATION_END


def invocation_head(target: str, contract_id: str) -> str:
    """The text of a market-hub invocation before its data: head + data JSON + INVOCATION_END
    is the record (the quote path keeps one head per contract)."""
    return (f'{{"type":{INVOCATION},"target":{json.dumps(target)},"arguments":['
            f'{json.dumps(contract_id)},')


INVOCATION_END = "]}" + RS


def completion(invocation_id: str, error: Optional[str] = None, result: Any = None) -> str:
    message: dict = {"type": COMPLETION, "invocationId": invocation_id}
    if error is not None:
        message["error"] = error
    elif result is not None:
        message["result"] = result
    return record(message)


def close(error: Optional[str] = None, allow_reconnect: bool = True) -> str:
    message: dict = {"type": CLOSE, "allowReconnect": allow_reconnect}
    if error:
        message["error"] = error
    return record(message)


def wrap(payload: dict, action: int, counter: int) -> list:
    """TopstepX's user-hub arguments: [{"action", "data"}], data an object or an array.

    Which shape is used cycles with `counter` (object, [object], [object, null]) so
    every shape a client must accept appears within three events.
    """
    shape = counter % 3
    data: Any = payload if shape == 0 else [payload] if shape == 1 else [payload, None]
    return [{"action": action, "data": data}]
