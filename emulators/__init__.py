"""Local HTTP emulators of the vendor APIs the bridge talks to.

They follow the vendors' OpenAPI documents and recorded responses in ``../shared``;
tests point the real clients (zenpy, requests) at them, and operators can run them
as a sandbox: ``python -m emulators.zendesk --port 9100``.
"""
