"""`riskctl config show`: the running config as TOML with every secret masked."""
from services.supervisor.commands.base import Command
from shared.config.convert import whole_numbers
from shared.config.secrets import masked_data
from shared.messages.config import ConfigShow, ConfigView
from shared.messages.system import ok


def execute(sup, _request, respond) -> None:
    import tomlkit    # lazy: docs/performance.md, "Memory"
    respond(ok(ConfigView(path=sup.loaded.path, digest=sup.loaded.digest,
                          generation=sup.config_generation,
                          toml=tomlkit.dumps(whole_numbers(masked_data(sup.config))),
                          warnings=[str(w) for w in sup.loaded.warnings])))


COMMAND = Command(ConfigShow, "ops", execute)
