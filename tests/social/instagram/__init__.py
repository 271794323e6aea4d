"""Instagram DMs: captured fixtures, sends against the Graph emulator, receipts, profiles."""
