"""Telegram: fixtures, secret token, sends against the emulator, the emulator itself."""
