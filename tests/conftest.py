"""Fixtures shared by several test folders."""

pytest_plugins = ["tests.lake_fixtures"]
