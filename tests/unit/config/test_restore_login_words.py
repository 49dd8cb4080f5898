"""What a config restore that changes who can log in says (shared/config/restorewords.py).

Fresh-user trial 14b: a restore of a backup with no admin password said "log in again with the
restored file's password" (there was none) and asked nothing."""
from __future__ import annotations

from shared.config.restorewords import login_warning, restore_lines, session_words

REMOVED = "admin.password_hash: secret removed"
CHANGED = "admin.password_hash: secret changed"


def test_a_removed_admin_password_is_asked_about_and_said_as_no_admin_login():
    question, done = login_warning(["logging.level: \"INFO\" -> \"DEBUG\"", REMOVED])
    assert question.startswith("WARNING: it would remove the admin password")
    assert "no one can log in as admin" in question and "passwd admin --offline" in question
    assert done == "confirmed by the admin: the admin password removed"
    assert "restored file's password" not in session_words([REMOVED])
    assert "no one can log in as admin now" in session_words([REMOVED])
    assert any("the restored file has no admin password" in line
               for line in restore_lines([REMOVED]))


def test_an_older_password_put_back_is_asked_about_and_said_as_before():
    question, _done = login_warning([CHANGED])
    assert "put back the admin password of the restored file" in question
    assert session_words([CHANGED]) == "log in again with the restored file's password"
    assert any("the admin password is now the one in the restored file" in line
               for line in restore_lines([CHANGED]))


def test_a_restore_touching_no_password_asks_nothing():
    assert login_warning(["logging.level: \"INFO\" -> \"DEBUG\""]) == ("", "")
    assert session_words(["logging.level: \"INFO\" -> \"DEBUG\""]) == ""


def test_the_password_alert_names_who_and_the_command_never_the_hash():
    from services.supervisor.passwordalert import password_event
    removed = password_event({"admin": ("removed", 1)}, "admin:root",
                             "edit: restore 20261206T151721164512Z", 1)
    assert (removed.kind, removed.severity) == ("password_changed", "critical")
    assert removed.title == "🔐 admin password removed by admin:root"
    assert removed.lines[0] == "through riskctl (restore 20261206T151721164512Z)"
    assert "it ended 1 admin session" in removed.lines
    assert any("no one can log in as admin" in line for line in removed.lines)
    changed = password_event({"admin": ("changed", 2)}, "admin:ana", "edit: admin.password_hash",
                             1)
    assert changed.severity == "warning"
    assert changed.lines[0] == "through riskctl (`riskctl passwd admin`)"
    assert "it ended 2 admin sessions" in changed.lines
    assert not any("no one can log in" in line for line in changed.lines)
