"""The shell that registers every domain: app factory, CLI, web shell, migrations."""
