"""Adapters every service shares: the outside tools a service plugs into, written once."""
