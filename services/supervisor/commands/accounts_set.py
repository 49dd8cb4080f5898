"""`riskctl accounts set ACCOUNT display_name|profile VALUE`: one field of one account, live.

A profile switch says what it changes (shared/config/profileswitch.py): the stricter settings
in force now, the looser ones waiting for the roll, and a loud WARNING for a rule that goes
off. One that loosens anything asks first, as other loosening edits do (riskctl asks, or
--yes): answered 'confirm_needed' with those lines, nothing written (fresh-user trial 15b: the
switch to a profile without drawdown_guard answered only "saved (applied live)").
"""
import attrs

from services.supervisor.commands.base import Command
from services.supervisor.commands.config_edits import changed_note, target_words, run_edit
from shared import showtime
from shared.config.account_edit import set_account_field
from shared.config.profileswitch import profile_switch, switch_lines, switch_question
from shared.messages.accounts import AccountSet


def execute(sup, r, respond) -> None:
    shown = f"accounts set {target_words(sup, r.account)} {r.key}"
    lines, question = [], ""
    if r.key == "profile":
        switch = profile_switch(sup.config, r.account, r.value)
        if switch is not None:
            now = sup.clock.now_ns()
            roll = showtime.at(sup.calendar.next_roll(now), showtime.zone_of(sup.config), now)
            lines = switch_lines(switch, target_words(sup, r.account), r.value,
                                 roll)
            if switch.loosens:
                question = switch_question(switch, r.value, lines)
    said = "\n  ".join(lines)

    def answer(reply) -> None:
        # a switch asked about gets its lines from run_edit (warn); the others here
        if said and not question and reply.ok:
            reply = attrs.evolve(reply, reason=f"{reply.reason}\n  {said}")
        respond(reply)
    run_edit(sup, answer, f"accounts set {r.account} {r.key}",
             lambda path, backups, **kw: set_account_field(path, r.account, r.key, r.value,
                                                           backups, **kw),
             note=changed_note(sup) if r.key == "profile" else "",
             # not "applied live": what waits for the roll is listed
             waits="riskd applies it as follows" if lines else "",
             shown=shown,
             confirmed=bool(r.confirmed) if question else None,
             warn=(question, f"confirmed by the admin:\n  {said}") if question else ("", ""))


COMMAND = Command(AccountSet, "admin", execute)
