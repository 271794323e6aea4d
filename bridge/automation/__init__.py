"""Automated messages and ticket actions: acknowledgements and away messages, check-ins
and CSAT questions after a ticket is solved, pending reminders and auto-solve, status
mirroring and window keep-alives.

- ``settings`` / ``texts``: the ``[automation]`` TOML section, templates per channel and
  language; with no file every job is off (a section in the file turns one on).
- ``schedule``: hooks that schedule and cancel jobs in the transactions of the events that
  cause them, and the beat sweep that claims due jobs.
- ``run``: the run-loop step that acts on a due job under the conversation lease.
- ``csat``: quick-reply payloads of the CSAT question and recording the answer.
- ``language``: the customer's language (detection comes later; the hook is here).
"""
