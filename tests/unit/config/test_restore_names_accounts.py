"""An edit's or restore's list of changes names an account as riskd names it everywhere, and
says what a disable means (trial16c finding 8: `config restore` listed
"accounts[1].enabled: true -> false" and "accounts[2].id: 1003 -> (unset)" beside
"Demo 2 (strict, id 1002): max_contracts limit 1 -> 2")."""
from __future__ import annotations

from shared.config.edit import config_changes

NOW = '''
[[accounts]]
id = 1001
name = "SIM-DEMO-1"
display_name = "Ana main"

[[accounts]]
id = 1002
name = "SIM-DEMO-2"
display_name = "Demo 2 (strict)"
enabled = true

[[accounts]]
id = 1003
name = "SIM-DEMO-3"
enabled = true
'''

BACKUP = '''
[[accounts]]
id = 1001
name = "SIM-DEMO-1"
display_name = "Ana main"

[[accounts]]
id = 1002
name = "SIM-DEMO-2"
display_name = "Demo 2 (strict)"
enabled = false
'''


def test_a_restore_names_the_accounts_it_changes_and_says_what_a_disable_means():
    lines = config_changes(NOW, BACKUP)
    assert lines == [
        "Demo 2 (strict, id 1002): enabled true -> false: risk keeps guarding it until the "
        "trading-day roll, then stops",
        "SIM-DEMO-3 (id 1003): removed from the config (risk guards it with the default "
        "profile's rules while the broker reports it)"], lines
    back = config_changes(BACKUP, NOW)
    assert back == ["Demo 2 (strict, id 1002): enabled false -> true: guarded again",
                    "SIM-DEMO-3 (id 1003): added to the config"], back
