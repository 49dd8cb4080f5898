"""The docs show accounts as riskd names them (shared/accountname.called: "Demo 1 (id 1001)",
"Demo 2 (strict, id 1002)"). Fresh-user trial 2026-12-06: docs/operations.md's kill-switch
example read "Demo 1 (1001)" and "Demo 2 (strict), id 1002" while the real output was right,
and "risk keeps guarding 1002", "Demo 2 (strict) is no longer guarded" in quoted answers and
alerts that name the account with its id. The shipped demo accounts only: other examples
(a tab's bare "1:Demo 1", "account Demo 1 was already flat" of enforcement) are left alone."""
from __future__ import annotations

import re

import pytest

from tests.unit.test_docs import DOCS, read

OLD_FORMS = [
    re.compile(r"Demo \d(?: \(strict\))? \(\d{4}\)"),           # Demo 1 (1001)
    re.compile(r"\(strict\), id \d{4}"),                         # Demo 2 (strict), id 1002
    re.compile(r"\(strict\) \(id \d{4}\)"),                      # Demo 2 (strict) (id 1002)
    re.compile(r"guard(?:s|ing) \d{4}\b"),                       # risk keeps guarding 1002
    re.compile(r"\"(?:✅ \w+ on\s+)?Demo \d(?: \(strict\))?(?::| is )"),  # "Demo 2 (strict) is ..."
    re.compile(r"(?:applied live|acted at once) on\s+Demo \d(?: \(strict\))?[\":]"),
]


@pytest.mark.parametrize("doc", DOCS)
def test_the_docs_name_the_demo_accounts_with_their_ids(doc):
    text = read(doc)
    found = [m.group(0) for form in OLD_FORMS for m in form.finditer(text)]
    assert not found, f"{doc}: {found}"
