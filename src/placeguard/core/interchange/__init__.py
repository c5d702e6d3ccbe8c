"""Interchange formats: STIX 2.1 bundles and MISP event JSON, built from plain records.

Nothing here decides who may see what: callers hand in records they already took from the
visibility functions and filtered by the maximum TLP. See docs/interchange.md.
"""
