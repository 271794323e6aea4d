"""Telegram bots: secret-token webhook, updates, sendMessage with reply_parameters."""
