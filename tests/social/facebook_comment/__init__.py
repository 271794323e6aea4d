"""Facebook page comments: feed fixtures, public and private replies, the Graph emulator."""
