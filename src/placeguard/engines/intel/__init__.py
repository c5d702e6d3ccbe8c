"""Incident intelligence: dataset adapters, the canonical incident schema, the Parquet store.

Pure engine code (no Django). The adapters read a user's own copy of an incident dataset
(GTD, ACLED, RDWTI, UCDP GED, GDELT 1.0/2.0 or a national log with a column mapping),
validate every row, and map it onto :class:`~placeguard.engines.intel.schema.Incident` rows
using the crosswalk content file ``content/intel/crosswalk.yaml``. GTD, ACLED and RDWTI rows
may never be redistributed: every row carries its licence tag so that later features can
refuse to re-export them.
"""
