"""SLA clocks, business calendars, policies and escalation ladders: pure logic.

Nothing here reads a clock, a database or the network: every function takes the instants
it needs, so beat jobs, the CLI and tests all see the same answers.
"""
