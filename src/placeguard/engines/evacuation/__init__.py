"""Evacuation engines: how long it takes to get everyone out (or into safety inside).

* :mod:`.layout` — the walkable layout from GeoJSON, every problem reported before anything runs;
* :mod:`.sfpe` — SFPE speed–density relation, flow and boundary-layer constants;
* :mod:`.hydraulic` — the SFPE network model (evacuation, invacuation, lockdown), queues at
  every transition;
* :mod:`.montecarlo` — distributions over pre-movement times and occupancy;
* :mod:`.microscopic` — JuPedSim runs (optional extra ``evacuation``) analysed with PedPy and
  checked against the hydraulic model;
* :mod:`.results` — result objects.

Modules are imported explicitly so that importing one does not load JuPedSim or PedPy.
"""
