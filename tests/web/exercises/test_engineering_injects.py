"""MSEL page: injects added from a site-engineering study of the exercise's site."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import World
from tests.web.exercises.conftest import design

pytest.importorskip("placeguard.engines.preparedness.simulation_injects")


def test_evacuation_study_injects_are_appended_after_the_msel(pworld: World) -> None:
    from placeguard.web.engineering import services as engineering
    from placeguard.web.engineering.models import EngineeringStudy
    from tests.web.engineering.conftest import layout

    exercise = design(pworld)
    n = exercise.injects.count()
    study = engineering.create_study(
        actor=None,
        site=pworld.sites["church"],
        kind="evacuation",
        name="Nave",
        geojson=layout(occupants=400, door_m=1.0),
        parameters={"runs": 0},
    )
    study = EngineeringStudy.objects.get(pk=study.pk)
    assert study.status == "complete", study.result
    client = Client()
    client.force_login(pworld.users["police_n"])
    page = client.get(reverse("exercises:msel", args=[exercise.pk]))
    assert "Add injects from a site-engineering study" in page.content.decode()
    assert [s.pk for s in page.context["studies"]] == [study.pk]
    response = client.post(
        reverse("exercises:msel-from-study", args=[exercise.pk]), {"study": study.pk}
    )
    assert response.status_code == 302
    added = list(exercise.injects.filter(seq__gt=n).order_by("seq"))
    assert added and all("[source:" in i.description for i in added)
    assert [i.seq for i in added] == list(range(n + 1, n + 1 + len(added)))
    links = [i.contingency_for for i in added if i.contingency_for is not None]
    assert all(n < link <= n + len(added) for link in links)
    # a study of another site is not offered and cannot be used
    other = engineering.create_study(
        actor=None,
        site=pworld.sites["mall_north"],
        kind="evacuation",
        name="Mall",
        geojson=layout(),
        parameters={"runs": 0},
    )
    refused = client.post(
        reverse("exercises:msel-from-study", args=[exercise.pk]), {"study": other.pk}
    )
    assert refused.status_code == 404
