"""Pieces the emulators share: the fault model, the threaded-server wrappers' helpers,
and the ``/_emulator`` control endpoints that are the same in several emulators."""
