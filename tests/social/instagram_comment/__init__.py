"""Instagram comments: fixtures, public and private replies against the Graph emulator."""
