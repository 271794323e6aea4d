"""Helpdesk ticket fields: read, cached, and used to validate mappings and rule values."""
