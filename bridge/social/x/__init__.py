"""X (Twitter): Account Activity webhooks (CRC, signed POSTs), DMs, mentions and replies,
answers as a DM or a reply post through the v2 API (OAuth 1.0a user context)."""
