"""The one codec: every catalog message round-trips; money stays exact; times stay integers."""
import datetime as dt
import subprocess
import sys
import threading
from decimal import Decimal

import attrs
import pytest

from shared import codec
from shared.messages import AREAS, CATALOG
from shared.messages.catalog import Catalog
from shared.messages.control import ControlRequest, WorkersRequest
from shared.messages.market import Quote
from shared.messages.system import Reply, ok
from tests.support.env import REPO


def test_money_keeps_every_digit_the_broker_sent():
    q = Quote(contract_id="CON.F.US.EP.Z26", ts_ns=1, last=Decimal("6012.2500000001"))
    back = codec.decode(codec.encode(q)).msg
    assert back.last == Decimal("6012.2500000001") and back.bid is None


def test_nested_messages_travel_as_a_tagged_union():
    req = ControlRequest(command=WorkersRequest(), session="s3cr3t")
    back = codec.decode(codec.encode(req, "riskctl", 0, 4, 5)).msg
    assert isinstance(back.command, WorkersRequest) and back.session == "s3cr3t"
    reply = codec.decode(codec.encode(ok(WorkersRequest()))).msg
    assert isinstance(reply, Reply) and isinstance(reply.body, WorkersRequest)


def test_every_catalog_message_with_defaults_round_trips():
    checked = 0
    for cls in CATALOG:
        try:
            msg = cls()
        except TypeError:
            continue     # has required fields; covered by its own area's tests
        assert codec.decode(codec.encode(msg)).msg == msg
        checked += 1
    assert checked >= 3


LAZY_AREA = """
import sys
from shared import codec
from shared.messages.system import Reply
assert "shared.messages.risk" not in sys.modules, "risk's area loaded with the codec"
msg = codec.decode(bytes.fromhex(sys.argv[1])).msg
assert type(msg).__name__ == "UnlockRequest" and msg.account == "1001", msg
assert "shared.messages.risk" in sys.modules
assert codec.decode(codec.encode(Reply(status="ok", body=msg))).msg.body == msg
print(len(codec.CATALOG))
"""


def test_a_message_of_an_area_not_imported_yet_is_decoded():
    """The areas load as used (shared/messages/__init__.py): a process that never imported
    risk's messages still decodes one that arrives, and counts the whole catalog."""
    from shared.messages.risk import UnlockRequest
    frame = codec.encode(UnlockRequest(account="1001", reason="r"))
    out = subprocess.run([sys.executable, "-c", LAZY_AREA, frame.hex()], cwd=REPO,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) == len(CATALOG)


def test_areas_registered_from_many_threads_at_once_are_registered_once():
    cat = Catalog(package="shared.messages", areas=AREAS)
    names = [cls.__name__ for cls in CATALOG]
    errors = []

    def look():
        try:
            for name in names:
                assert cat.get(name) is CATALOG.get(name)
        except Exception as exc:   # noqa: BLE001 -- reported below
            errors.append(exc)
    threads = [threading.Thread(target=look) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert not errors and len(cat) == len(CATALOG)


def test_the_catalog_refuses_duplicates_and_non_attrs_classes():
    @attrs.frozen
    class Thing:
        x: int = 0
    cat = Catalog([Thing])
    with pytest.raises(ValueError, match="registered twice"):
        cat.add(Thing)
    with pytest.raises(TypeError):
        cat.add(int)
    with pytest.raises(TypeError, match="not in the message catalog"):
        codec.encode(Thing())


def test_a_decimal_field_refuses_nan_and_booleans():
    bad = codec.encode(Quote(contract_id="X", ts_ns=1, last=Decimal("1")))
    bad = bad.replace(b"\xa11", b"\xa3NaN")
    with pytest.raises(codec.DecodeError, match="Quote"):
        codec.decode(bad)


def test_datetimes_become_integer_nanoseconds():
    when = dt.datetime(2026, 3, 8, 8, 0, 0, 123456, tzinfo=dt.timezone.utc)
    assert codec.converter.unstructure(when) == 1772956800123456000
