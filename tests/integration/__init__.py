"""The real pipeline with the real adapters (Zendesk, Messenger) against the emulators."""
