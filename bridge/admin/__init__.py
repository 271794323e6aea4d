"""Admin data: rules and mappings kept in the database, their audit log, and the
read-only ones that come from the TOML file."""
