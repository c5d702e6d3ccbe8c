"""Scenario-level site risk: threat × vulnerability × consequence, plans and portfolios."""
