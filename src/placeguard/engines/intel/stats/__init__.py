"""Statistics on canonical incident tables: trends, lethality, change points, claims, likelihoods.

Aggregation runs as Ibis expressions (DuckDB by default) and returns small histograms; the
statistics (statsmodels, scipy, numpy) run on those. Nothing here touches raw rows beyond the
grouped counts, so the results are aggregates that can carry their source attribution.
The methods are documented in docs/intelligence-method.md.
"""
