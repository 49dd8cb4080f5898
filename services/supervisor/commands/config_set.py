"""`riskctl config set KEY VALUE`: edit one key of the config file, validated and applied live;
one that would make risk act at once (a rule tightened past what an account holds, a profile
switched) asks first (rule_confirm.py). A password is not removed here (config set
admin.password_hash "" removed the admin password of a running riskd with no question, as the
restore of trial 14b did); `riskctl passwd admin|ops` sets one through this same request.
A port is checked before it is saved, as riskd's start checks them (portcheck.edit_refusal):
one that clashes with another of riskd's endpoints or that another program holds is refused
now, not found at the next restart. A roll time (trading_day.roll), its time zone or the
holidays apply from the next roll, and the answer says so (shared/config/rollmove.py)."""
from services.supervisor import portcheck
from services.supervisor.commands.base import Command
from services.supervisor.commands.config_edits import changed_note, moves_control, run_edit
from services.supervisor.commands.rule_outcome import rule_edit_of
from shared import showtime
from shared.config import rollmove
from shared.config.edit import set_config_value
from shared.messages.config import ConfigSet
from shared.messages.system import error


def execute(sup, request, respond) -> None:
    if request.key.replace(" ", "").split(".")[-1] == "password_hash" \
            and request.value.strip() in ("", '""', "''"):
        role = request.key.split(".")[0].strip() or "admin"
        respond(error("refused", f"{request.key}: not saved: config set does not remove a "
                                 f"password (no one could log in as {role}); a password is "
                                 f"changed with `riskctl passwd {role}` (docs/operations.md, "
                                 f"\"Roles and passwords\")"))
        return

    roll = rollmove.is_calendar_key(request.key)
    # the calendar riskd runs now (read for a roll, time zone or holidays edit only)
    running, now = (sup.calendar, sup.clock.now_ns()) if roll else (None, 0)

    def edit(path, backups, **kw):
        if roll:        # the day in progress keeps its roll: written with roll_changed_after
            return rollmove.set_roll(path, request.value, running, now, backups,
                                     key=request.key, **kw)
        return set_config_value(path, request.key, request.value, backups, **kw)
    taken = portcheck.edit_refusal(sup.loaded.path,
                                   lambda: edit(sup.loaded.path, "", dry_run=True),
                                   sup.config, list(sup.slots))
    if taken:
        respond(error("port_taken", f"{request.key}: not saved: {taken}"))
        return
    moved = moves_control(sup, edit) if request.key.strip().startswith("bus") else ""
    if moved:
        respond(error("refused", f"{request.key}: {moved}"))
        return
    run_edit(sup, respond, request.key, edit,
             lambda: rule_edit_of(request.key, request.value, sup.config.accounts),
             note=changed_note(sup, request.reason),
             waits=calendar_words(sup, edit, running, now) if roll else "",
             confirmed=request.confirmed)   # risk would act at once: ask (rule_confirm.py)


def calendar_words(sup, edit, running, now: int) -> str:
    """When a roll, time zone or holidays edit applies (from the next roll), from the file it
    would write; '' when it is refused (the refusal says why)."""
    try:
        text = edit(sup.loaded.path, "", dry_run=True).text
    except Exception:  # noqa: BLE001 -- the edit itself says what is wrong
        return ""
    return rollmove.edit_words(running, text, sup.loaded.path, now, showtime.zone_of(sup.config))


COMMAND = Command(ConfigSet, "admin", execute)
