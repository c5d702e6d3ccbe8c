"""The demo country's incident dataset: a synthetic GTD-layout file imported for the northern
police force (generated, seeded; no real GTD rows are shipped)."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path

from placeguard.web.intel import services
from placeguard.web.intel.models import Dataset
from placeguard.web.orgs.models import Organisation, User

__all__ = ["DEMO_ROWS", "load"]

#: Rows of the demo file (a few thousand keeps the demo load fast).
DEMO_ROWS = 3000


def load(
    orgs: Mapping[str, Organisation],
    *,
    seed: int = 7,
    rows: int = DEMO_ROWS,
    owner_slug: str = "northern-police",
    username: str = "police.north",
) -> Dataset:
    """Write a seeded synthetic GTD-layout file and import it for the ``owner_slug`` force,
    uploaded by ``username`` (the system when that user does not exist)."""
    from placeguard.engines.intel.synthetic import write_gtd

    owner = orgs[owner_slug]
    actor = User.objects.filter(username=username).first()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "synthetic-gtd.csv"
        write_gtd(path, rows, seed=seed)
        with path.open("rb") as fh:
            dataset = services.create_dataset(
                actor=actor,
                owner=owner,
                name="Synthetic GTD-layout incidents (demo)",
                source="gtd",
                file_name=path.name,
                data=fh,
                run=False,
            )
    services.execute_import(dataset.pk)
    dataset.refresh_from_db()
    return dataset
