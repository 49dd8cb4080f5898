"""Telegram commands: the notify worker answers the configured chats (docs/alerts.md,
"Commands from your phone").

access (who may ask, which accounts a chat sees), parse (text -> command), answers (replies
as text), riskd (the read requests and the one protective action, over the supervisor's
control socket with the trader role), store (update offset, handled updates, lockout
confirmations on disk), lockflow (/lockout and the button: confirm, then run once), poller
(the thread: getUpdates long polling -> answers queued for the channel's sender).
"""
