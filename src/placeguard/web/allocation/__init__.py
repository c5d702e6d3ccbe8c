"""Allocation: patrol plans from security games, and response-unit coverage."""
