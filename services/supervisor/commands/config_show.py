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
                          toml=sim_note(sup.config.broker)
                          + tomlkit.dumps(whole_numbers(masked_data(sup.config))),
                          warnings=[str(w) for w in sup.loaded.warnings])))


def sim_note(broker) -> str:
    """TOML comment lines over the shown config when riskd runs on the built-in sim: which
    addresses it uses, and that the [broker] URLs shown (TopstepX's defaults) and the masked
    api_key are not what they seem (trial16c: `api_key = "***"` and api.topstepx.com read as
    "a key is set" and "it talks to TopstepX")."""
    if broker.kind != "sim":
        return ""
    rest, user_hub, market_hub = broker.endpoints()
    return (f'# [broker] kind = "sim": riskd uses its built-in sim broker at {rest} (hubs '
            f'{user_hub}, {market_hub});\n'
            f"# the rest_url, user_hub and market_hub below are not used with the sim, and its\n"
            f"# api_key is the sim's built-in one unless the file sets one (riskctl sim info;\n"
            f"# docs/simbroker.md)\n")


COMMAND = Command(ConfigShow, "ops", execute)
