"""Allocation engines: game-theoretic patrol plans and response coverage (pure computation).

* :mod:`.games` — security games with one attacker type (ORIGAMI, multiple LPs);
* :mod:`.games_bayesian` — several attacker types (exact branch and bound, DOBSS baseline);
* :mod:`.games_robust` — quantal-response and interval-payoff alternatives;
* :mod:`.payoffs` — payoffs derived from site consequence and risk, with explanations;
* :mod:`.schedules` — randomised shift plans from coverage, CSV and iCalendar;
* :mod:`.validation` — reading the ``GAME.json`` layout, every problem reported at once.

Modules are imported explicitly (``from placeguard.engines.allocation import games``) so that
importing one engine does not load the others.
"""
