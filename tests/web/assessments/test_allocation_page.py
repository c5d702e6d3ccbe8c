"""The national grant allocation page and its CSV export: who may open them, form errors, and
figures that are the engine's own (the same as a direct ``allocate_grant`` call)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from placeguard.engines.risk.planning import InfeasiblePlanError
from placeguard.web.assessments import allocation, services
from placeguard.web.assessments.choices import RiskBand
from placeguard.web.assessments.models import Assessment
from placeguard.web.assessments.queries import PortfolioFilters
from placeguard.web.assessments.templatetags.assessment_tags import money, risk_text
from placeguard.web.sites import services as site_services
from tests.conftest import World, site_raw

URL = "/assessments/portfolio/allocation/"
CSV_URL = "/assessments/portfolio/allocation.csv"


def client_for(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def streamed(response: Any) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def csv_rows(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(streamed(response))))


@pytest.fixture
def assessed(world: World) -> World:
    """Every site assessed (all answers unknown) and submitted by its operator."""
    operators = {"mall-co": world.users["mall_admin"], "hotel-co": world.users["hotel_admin"]}
    for site in world.sites.values():
        actor = operators[site.operator.slug]
        services.submit(services.start_assessment(site, actor=actor), actor=actor)
    return world


# ------------------------------------------------------------------ access
def test_pages_require_login(world: World) -> None:
    for url in [URL, f"{URL}?budget=1000", CSV_URL]:
        response = Client().get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/?next="), url


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("mall_admin", 403),  # an operator
        ("mall_reader", 403),
        ("police_n_reader", 403),  # police, but a reader
        ("rogue_police", 403),  # police, not vetted
        ("programme", 403),
        ("police_n", 200),
        ("ministry", 200),
    ],
)
def test_only_authorities_and_police_editors_allocate(
    assessed: World, persona: str, status: int
) -> None:
    client = client_for(assessed, persona)
    assert client.get(URL).status_code == status
    assert client.get(URL, {"budget": "50000"}).status_code == status
    assert client.get(CSV_URL, {"budget": "50000"}).status_code == status


def test_portfolio_links_to_the_allocation_only_for_allocators(world: World) -> None:
    link = 'id="allocation-link"'
    assert link in client_for(world, "ministry").get("/assessments/portfolio/").content.decode()
    assert link in client_for(world, "police_n").get("/assessments/portfolio/").content.decode()
    for persona in ["mall_admin", "police_n_reader", "rogue_police"]:
        page = client_for(world, persona).get("/assessments/portfolio/").content.decode()
        assert link not in page, persona


# ------------------------------------------------------------------ the page
def test_first_visit_shows_the_form_and_no_result(assessed: World) -> None:
    response = client_for(assessed, "ministry").get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="allocation-form"' in page and 'name="budget"' in page
    assert 'name="site_type"' in page and 'name="region"' in page and 'name="band"' in page
    assert 'name="assessed"' not in page and 'name="order"' not in page
    assert 'id="form-errors"' not in page
    assert response.context["result"] is None
    assert 'id="funded-sites"' not in page


def test_figures_and_funded_sites_match_a_direct_engine_call(assessed: World) -> None:
    user = assessed.users["ministry"]
    expected = allocation.allocate_grant(user, budget=60000.0)
    response = client_for(assessed, "ministry").get(URL, {"budget": "60000"})
    assert response.status_code == 200
    result = response.context["result"]
    assert result.spent == pytest.approx(expected.spent)
    assert result.risk_before == pytest.approx(expected.risk_before)
    assert result.risk_after == pytest.approx(expected.risk_after)
    assert result.options_considered == expected.options_considered
    assert result.mip_gap == pytest.approx(expected.mip_gap, abs=1e-9)
    page = response.content.decode()
    for text in [
        money(expected.budget, "EUR"),
        money(expected.spent, "EUR"),
        risk_text(expected.risk_before),
        risk_text(expected.risk_after),
        str(expected.options_considered),
    ]:
        assert text in page, text
    reduction = 1 - expected.risk_after / expected.risk_before
    assert response.context["reduction"] == pytest.approx(reduction)
    assert f"{reduction:.0%}" in page
    funded = [g for g in expected.sites if g.measures]
    assert funded, "a 60,000 EUR grant funds something"
    rows = response.context["funded"]
    assert {r.grant.site_id for r in rows} == {g.site_id for g in funded}
    assert [r.rank for r in rows] == list(range(1, len(rows) + 1))
    reductions = [r.reduction for r in rows]
    assert reductions == sorted(reductions, reverse=True)
    pack = services.scoring.current_pack()
    for grant in funded:
        assert f'href="/sites/{grant.site_id}/"' in page
        assert money(grant.capex, "EUR") in page
        for mid in grant.measures:
            assert pack.measure(mid).name in page  # the measure's title, not its id
    assert sum(r.grant.capex for r in rows) == pytest.approx(expected.spent)
    assert "CSV" in page and "allocation.csv?budget=60000" in page


def test_filters_narrow_the_sites_and_visibility_still_applies(assessed: World) -> None:
    ministry = client_for(assessed, "ministry")
    result = ministry.get(URL, {"budget": "1000000", "site_type": "hospitality"}).context["result"]
    assert {g.site_name for g in result.sites} == {"North Hotel", "South Hotel"}
    result = ministry.get(URL, {"budget": "1000000", "region": "south-a"}).context["result"]
    assert {g.site_name for g in result.sites} == {"South Mall", "South Hotel"}
    # Police allocate over their jurisdiction only, whatever they ask for.
    police = client_for(assessed, "police_n")
    result = police.get(URL, {"budget": "1000000"}).context["result"]
    assert {g.site_name for g in result.sites} == {"North Mall", "North Hotel"}
    response = police.get(URL, {"budget": "1000000", "region": "south-a"})
    assert response.context["result"] is None
    assert "region" in response.context["form"].errors  # not a region it can choose


def test_band_filter_is_passed_to_the_allocation(assessed: World) -> None:
    band = Assessment.objects.get(site=assessed.sites["mall_north"]).worst_band
    user = assessed.users["ministry"]
    expected = allocation.allocate_grant(user, budget=1e6, filters=PortfolioFilters(bands=(band,)))
    ministry = client_for(assessed, "ministry")
    result = ministry.get(URL, {"budget": "1000000", "band": band}).context["result"]
    names = {g.site_name for g in result.sites}
    assert "North Mall" in names and names == {g.site_name for g in expected.sites}
    other = next(b for b in RiskBand.values if b != band and b not in _bands(assessed))
    response = ministry.get(URL, {"budget": "1000000", "band": other})
    assert response.context["result"].sites == ()
    assert "No assessed site matches these filters." in response.content.decode()


def _bands(world: World) -> set[str]:
    return set(Assessment.objects.values_list("worst_band", flat=True))


@pytest.mark.parametrize(
    ("budget", "message"),
    [
        ("", "This field is required."),
        ("-1", "Ensure this value is greater than or equal to 0."),
        ("lots", "Enter a number."),
        ("inf", "Enter a number."),
    ],
)
def test_bad_budget_is_a_form_error(assessed: World, budget: str, message: str) -> None:
    response = client_for(assessed, "ministry").get(URL, {"budget": budget})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="form-errors"' in page and 'href="#id_budget"' in page
    assert message in page
    assert (
        'aria-invalid="true"' in page
        and 'aria-describedby="id_budget_helptext id_budget_error"' in page
    )
    assert response.context["result"] is None


def test_too_many_sites_is_a_form_error(assessed: World, monkeypatch: Any) -> None:
    monkeypatch.setattr(allocation, "MAX_SITES", 1)
    response = client_for(assessed, "ministry").get(URL, {"budget": "1000"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="form-errors"' in page
    assert "4 sites match; narrow the filters to 1 or fewer" in page
    assert response.context["result"] is None
    # The export sends the user back to the page, where the error shows.
    export = client_for(assessed, "ministry").get(CSV_URL, {"budget": "1000"})
    assert export.status_code == 302
    assert export["Location"] == f"{URL}?budget=1000"


def test_solver_failure_is_a_message_not_a_500(assessed: World, monkeypatch: Any) -> None:
    def fail(*_args: Any, **_kwargs: Any) -> Any:
        raise InfeasiblePlanError("the allocation solver found no plan: time limit")

    monkeypatch.setattr(allocation, "allocate", fail)
    response = client_for(assessed, "ministry").get(URL, {"budget": "1000"})
    assert response.status_code == 200
    assert "the allocation solver found no plan: time limit" in response.content.decode()


def test_user_text_is_escaped(world: World) -> None:
    site = site_services.create_site(site_raw(name="<script>x()</script> Plaza"), actor=None)
    actor = world.users["mall_admin"]
    services.submit(services.start_assessment(site, actor=actor), actor=actor)
    page = client_for(world, "ministry").get(URL, {"budget": "1000000"}).content.decode()
    assert "<script>x()</script>" not in page
    assert "&lt;script&gt;x()&lt;/script&gt; Plaza" in page


# ------------------------------------------------------------------ CSV
def test_csv_holds_every_site_with_the_engine_numbers(assessed: World) -> None:
    user = assessed.users["ministry"]
    expected = allocation.allocate_grant(user, budget=60000.0)
    response = client_for(assessed, "ministry").get(CSV_URL, {"budget": "60000"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"] == 'attachment; filename="placeguard-grant-allocation.csv"'
    )
    rows = csv_rows(response)
    assert list(rows[0]) == [
        *("rank", "site_id", "site", "assessment_id", "measure_ids", "measures", "capex"),
        *("currency", "risk_before", "risk_after", "risk_reduction"),
    ]
    assert len(rows) == len(expected.sites) == 4
    assert [row["rank"] for row in rows] == ["1", "2", "3", "4"]
    pack = services.scoring.current_pack()
    by_id = {g.site_id: g for g in expected.sites}
    for row in rows:
        grant = by_id[int(row["site_id"])]
        assert row["site"] == grant.site_name
        assert int(row["assessment_id"]) == grant.assessment_id
        assert row["measure_ids"] == "; ".join(grant.measures)
        assert row["measures"] == "; ".join(pack.measure(m).name for m in grant.measures)
        assert float(row["capex"]) == pytest.approx(grant.capex)
        assert float(row["risk_before"]) == pytest.approx(grant.risk_before)
        assert float(row["risk_after"]) == pytest.approx(grant.risk_after)
        assert row["currency"] == "EUR"
    assert sum(float(row["capex"]) for row in rows) == pytest.approx(expected.spent)


def test_csv_guards_formulas(world: World) -> None:
    site = site_services.create_site(site_raw(name='=HYPERLINK("http://evil")'), actor=None)
    actor = world.users["mall_admin"]
    services.submit(services.start_assessment(site, actor=actor), actor=actor)
    rows = csv_rows(client_for(world, "ministry").get(CSV_URL, {"budget": "1000"}))
    assert [row["site"] for row in rows] == ['\'=HYPERLINK("http://evil")']


def test_csv_without_a_valid_budget_goes_back_to_the_page(assessed: World) -> None:
    ministry = client_for(assessed, "ministry")
    response = ministry.get(CSV_URL)
    assert response.status_code == 302 and response["Location"] == URL
    response = ministry.get(CSV_URL, {"budget": "-5", "site_type": "retail"})
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?budget=-5&site_type=retail"
