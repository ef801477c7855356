"""Escalation and support levels (FLOW-6)."""
