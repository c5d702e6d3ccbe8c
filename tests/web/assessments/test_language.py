"""The assessment pages show the content pack in the reader's language; scores do not change."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tests.conftest import World
from tests.web.assessments.conftest import submitted


def test_a_french_reader_sees_the_french_catalogue(world: World) -> None:
    assessment = submitted(world)
    client = Client(headers={"accept-language": "fr"})
    client.force_login(world.users["mall_admin"])
    url = reverse("assessments:detail", args=[assessment.pk])
    french = client.get(url).content.decode()
    assert "Véhicule utilisé comme arme" in french
    assert "Qui est responsable de la sûreté de ce site ?" in french
    client = Client(headers={"accept-language": "en"})
    client.force_login(world.users["mall_admin"])
    english = client.get(url).content.decode()
    assert "Vehicle as a weapon" in english
    assert "Véhicule" not in english
