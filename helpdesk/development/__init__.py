"""Development items and their releases (FLOW-7)."""
