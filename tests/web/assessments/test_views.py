"""Assessment pages (server-rendered): access, answering by section, review flows, plans,
action items, risk acceptance, history and diff, portfolio and its CSV export."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from placeguard.content import load_risk_pack
from placeguard.web.assessments import services
from placeguard.web.assessments.models import ActionItem, Assessment, RiskAcceptance
from placeguard.web.sites import services as site_services
from tests.conftest import World, site_raw
from tests.web.assessments.conftest import ANSWERS, approved, start, submitted, tomorrow

HTMX = {"HTTP_HX_REQUEST": "true"}


def client_for(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def section_of(question_id: str) -> str:
    return load_risk_pack().question(question_id).category


def fresh(assessment: Assessment) -> Assessment:
    return Assessment.objects.get(pk=assessment.pk)


def streamed(response: Any) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


# ------------------------------------------------------------------ access
def test_pages_require_login(world: World) -> None:
    a = start(world)
    site = a.site_id
    urls = [
        "/assessments/",
        "/assessments/portfolio/",
        "/assessments/portfolio.csv",
        f"/assessments/{a.pk}/",
        f"/assessments/{a.pk}/plan/",
        f"/assessments/site/{site}/",
        f"/assessments/site/{site}/actions/",
    ]
    anonymous = Client()
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/?next="), url
    response = anonymous.post(f"/assessments/{a.pk}/submit/")
    assert response.status_code == 302
    assert fresh(a).status == "draft"


def test_outsiders_get_404_on_every_page_and_action(world: World) -> None:
    a = submitted(world)
    item = services.create_action_items(
        services.approve(a, actor=world.users["police_n"]),
        [services.scoring.plan_problem(a).ids[0]],
        actor=world.users["mall_admin"],
    )[0]
    acceptance = services.accept_risk(
        a, "uas", actor=world.users["mall_admin"], rationale="Low", expires_on=tomorrow()
    )
    site = a.site_id
    hotel = client_for(world, "hotel_admin")  # another operator: cannot see North Mall
    gets = [
        f"/assessments/{a.pk}/",
        f"/assessments/{a.pk}/plan/",
        f"/assessments/{a.pk}/diff/{a.pk}/",
        f"/assessments/{a.pk}/report.html",
        f"/assessments/site/{site}/",
        f"/assessments/site/{site}/actions/",
        f"/assessments/actions/{item.pk}/",
        "/assessments/999999/",
    ]
    for url in gets:
        response = hotel.get(url)
        assert response.status_code == 404, url
        assert b"Page not found" in response.content
        assert b"North Mall" not in response.content
    posts = [
        f"/assessments/{a.pk}/answers/",
        f"/assessments/{a.pk}/context/",
        f"/assessments/{a.pk}/submit/",
        f"/assessments/{a.pk}/approve/",
        f"/assessments/{a.pk}/return/",
        f"/assessments/{a.pk}/comments/",
        f"/assessments/{a.pk}/plan/actions/",
        f"/assessments/site/{site}/start/",
        f"/assessments/site/{site}/accept/",
        f"/assessments/actions/{item.pk}/",
        f"/assessments/acceptances/{acceptance.pk}/revoke/",
    ]
    for url in posts:
        assert hotel.post(url, {"text": "x", "comment": "x"}).status_code == 404, url
    assert RiskAcceptance.objects.get(pk=acceptance.pk).status == "active"


def test_readers_get_403_on_editing(world: World) -> None:
    a = start(world)
    reader = client_for(world, "mall_reader")
    assert reader.get(f"/assessments/{a.pk}/").status_code == 200  # readers read
    section = section_of("GOV-01")
    for url, data in [
        (f"/assessments/{a.pk}/answers/", {"section": section, "q_GOV-01": "1"}),
        (f"/assessments/{a.pk}/context/", {"threat_level": "4", "symbolic": "0", "impact": "1"}),
        (f"/assessments/{a.pk}/submit/", {}),
        (f"/assessments/site/{world.sites['mall_south'].pk}/start/", {}),
    ]:
        response = reader.post(url, data)
        assert response.status_code == 403, url
        assert b"Not allowed" in response.content
    assert fresh(a).answers == {} and fresh(a).status == "draft"
    assert not Assessment.objects.filter(site=world.sites["mall_south"]).exists()
    # The operator does not review its own site; a police reader does not review at all.
    b = submitted(world, site="mall_south")
    for persona in ("mall_admin", "police_n_reader"):
        client = client_for(world, persona)
        assert client.post(f"/assessments/{a.pk}/comments/", {"text": "hi"}).status_code == 403
    assert client_for(world, "mall_admin").post(f"/assessments/{b.pk}/approve/").status_code == 403
    assert fresh(b).status == "submitted"


def test_reader_sees_no_editing_controls(world: World) -> None:
    a = start(world)
    page = client_for(world, "mall_reader").get(f"/assessments/{a.pk}/").content.decode()
    assert "Save section" not in page and "Submit for review" not in page
    assert 'name="q_GOV-01"' not in page
    site_page = client_for(world, "mall_reader").get(f"/sites/{a.site_id}/").content.decode()
    assert "Assessments" in site_page and "Start assessment" not in site_page


# ------------------------------------------------------------------ start and answer
def test_site_page_offers_start_then_continue(world: World) -> None:
    site = world.sites["mall_north"]
    operator = client_for(world, "mall_admin")
    page = operator.get(f"/sites/{site.pk}/").content.decode()
    assert "Start assessment" in page and "not been assessed yet" in page
    response = operator.post(f"/assessments/site/{site.pk}/start/")
    a = Assessment.objects.get(site=site)
    assert response.status_code == 302 and response["Location"] == f"/assessments/{a.pk}/"
    page = operator.get(f"/sites/{site.pk}/").content.decode()
    assert "Continue assessment" in page and "Start assessment" not in page
    # Starting a second one is a conflict: back to the one in progress, with the reason.
    response = operator.post(f"/assessments/site/{site.pk}/start/", follow=True)
    assert response.redirect_chain[-1][0] == f"/assessments/{a.pk}/"
    assert "already has an assessment in progress" in response.content.decode()


def test_answering_a_section_saves_only_that_section(world: World) -> None:
    a = start(world)
    services.save_answers(a, {"PER-01": 0}, actor=world.users["mall_admin"])
    operator = client_for(world, "mall_admin")
    governance = section_of("GOV-01")
    assert section_of("PER-01") != governance
    page = operator.get(f"/assessments/{a.pk}/?section={governance}").content.decode()
    assert 'name="q_GOV-01"' in page and 'name="q_PER-01"' not in page
    assert "Answered 1 of" in page
    response = operator.post(
        f"/assessments/{a.pk}/answers/",
        {
            "section": governance,
            "q_GOV-01": "3",
            "q_GOV-02": "unknown",
            "q_GOV-05": "n/a",
            "q_PER-01": "4",  # another section's question: ignored
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/assessments/{a.pk}/?section={governance}#workspace"
    assert fresh(a).answers == {"GOV-01": 3, "GOV-02": "unknown", "GOV-05": "n/a", "PER-01": 0}
    page = operator.get(response["Location"]).content.decode()
    assert "Section “Governance” saved." in page
    # Resume later: the draft keeps the answers, shown as chosen.
    page = client_for(world, "mall_admin").get(f"/assessments/{a.pk}/").content.decode()
    assert 'id="id_q_GOV-01_3" checked' in page
    assert "Answered 3 of" in page and "1 marked unknown" in page


def test_bad_answer_shows_field_error_and_saves_nothing(world: World) -> None:
    a = start(world)
    operator = client_for(world, "mall_admin")
    governance = section_of("GOV-01")
    response = operator.post(
        f"/assessments/{a.pk}/answers/",
        {"section": governance, "q_GOV-01": "2", "q_GOV-02": "17"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="form-errors"' in page  # the error summary, linking to the field
    assert 'href="#id_q_GOV-02_0"' in page
    assert 'id="id_q_GOV-02_error"' in page
    assert "Select a valid choice" in page
    assert fresh(a).answers == {}
    # Same through htmx: the partial comes back with the error, nothing saved.
    response = operator.post(
        f"/assessments/{a.pk}/answers/",
        {"section": governance, "q_GOV-02": "yes please"},
        **HTMX,
    )
    assert response.status_code == 200 and b"<html" not in response.content
    assert b'id="id_q_GOV-02_error"' in response.content
    assert fresh(a).answers == {}
    # An unknown section is a bad request.
    assert operator.post(f"/assessments/{a.pk}/answers/", {"section": "nope"}).status_code == 400


def test_htmx_save_returns_the_workspace_with_a_new_result(world: World) -> None:
    a = start(world)
    operator = client_for(world, "mall_admin")
    governance = section_of("GOV-01")
    before = operator.get(f"/assessments/{a.pk}/", **HTMX).content.decode()
    assert before.startswith('<div id="workspace"')
    answers = {f"q_GOV-0{i}": "4" for i in range(1, 6)}
    response = operator.post(
        f"/assessments/{a.pk}/answers/",
        {"section": governance, "then": "next", **answers},
        **HTMX,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.startswith('<div id="workspace"') and "<html" not in page
    assert "Section “Governance” saved." in page
    assert 'data-pg-announce="workspace-announcer"' in page
    following = "people_training"  # the section after governance
    assert response["HX-Push-Url"] == f"/assessments/{a.pk}/?section={following}"
    assert f'name="section" value="{following}"' in page
    total = fresh(a)
    assert total.answers["GOV-01"] == 4

    def total_risk(html: str) -> str:
        return html.split('id="total-risk">', 1)[1].split("<", 1)[0]

    # Perimeter answers move the (rounded) total far more than governance ones do.
    perimeter = {"q_PER-01": "4", "q_PER-02": "4", "q_PER-03": "4", "q_PER-04": "4"}
    after = operator.post(
        f"/assessments/{a.pk}/answers/",
        {"section": section_of("PER-01"), **perimeter},
        **HTMX,
    ).content.decode()
    assert total_risk(after) != total_risk(before)  # the live result moved


def test_context_form_saves_and_rejects_bad_values(world: World) -> None:
    a = start(world)
    operator = client_for(world, "mall_admin")
    response = operator.post(
        f"/assessments/{a.pk}/context/",
        {"threat_level": "4", "symbolic": "1", "threatened": "on", "impact": "1.5"},
    )
    assert response.status_code == 302
    a = fresh(a)
    assert (a.threat_level, a.symbolic, a.threatened, a.impact) == (4, 1.0, True, 1.5)
    response = operator.post(
        f"/assessments/{a.pk}/context/",
        {"threat_level": "9", "symbolic": "1", "impact": "5"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_impact_error"' in page and 'id="id_threat_level_error"' in page
    assert fresh(a).threat_level == 4


# ------------------------------------------------------------------ submit and review
def test_submit_approve_flow_through_pages(world: World) -> None:
    a = start(world)
    services.save_answers(a, ANSWERS, actor=world.users["mall_admin"])
    operator = client_for(world, "mall_admin")
    response = operator.post(f"/assessments/{a.pk}/submit/", follow=True)
    assert "Assessment submitted for review." in response.content.decode()
    a = fresh(a)
    assert a.status == "submitted" and a.total_risk and a.worst_band
    page = response.content.decode()
    assert "Save section" not in page and "Approve assessment" not in page

    assert "awaits your review" not in operator.get("/assessments/").content.decode()
    police = client_for(world, "police_n")
    page = police.get(f"/assessments/{a.pk}/").content.decode()
    assert "Approve assessment" in page and "Return for changes" in page
    listing = police.get("/assessments/").content.decode()
    assert "1 assessment awaits your review" in listing and "North Mall" in listing
    response = police.post(
        f"/assessments/{a.pk}/approve/", {"comment": "Checked on our visit."}, follow=True
    )
    assert "Assessment approved." in response.content.decode()
    assert fresh(a).status == "approved"
    # Operators see the reviewer's comment.
    page = operator.get(f"/assessments/{a.pk}/").content.decode()
    assert "Checked on our visit." in page and "Approved" in page
    # Approving twice is a conflict, reported on the page.
    response = police.post(f"/assessments/{a.pk}/approve/", follow=True)
    assert "Only a submitted assessment can be approved." in response.content.decode()


def test_return_flow_needs_a_comment_then_editors_see_it(world: World) -> None:
    a = submitted(world)
    police = client_for(world, "police_n")
    response = police.post(f"/assessments/{a.pk}/return/", {"comment": "  "})
    assert response.status_code == 200
    assert b'id="id_comment_error"' in response.content
    assert fresh(a).status == "submitted"
    response = police.post(
        f"/assessments/{a.pk}/return/",
        {"comment": "Check the vehicle access answers.", "question_id": "GOV-01"},
    )
    assert response.status_code == 302
    assert fresh(a).status == "returned"
    page = client_for(world, "mall_admin").get(f"/assessments/{a.pk}/").content.decode()
    assert "Check the vehicle access answers." in page and "about GOV-01" in page
    assert "Returned for changes" in page and "Save section" in page  # editable again
    assert "Approve assessment" not in page


def test_reviewer_comments_and_cannot_approve_own_submission(world: World) -> None:
    a = start(world, by="police_n")  # police may fill in an assessment themselves
    services.save_answers(a, ANSWERS, actor=world.users["police_n"])
    services.submit(a, actor=world.users["police_n"])
    police = client_for(world, "police_n")
    page = police.get(f"/assessments/{a.pk}/").content.decode()
    assert "another reviewer must approve it" in page and "Approve assessment" not in page
    assert police.post(f"/assessments/{a.pk}/approve/").status_code == 403
    response = police.post(f"/assessments/{a.pk}/comments/", {"text": "Note for the file."})
    assert response.status_code == 302
    assert "Note for the file." in police.get(f"/assessments/{a.pk}/").content.decode()
    assert fresh(a).status == "submitted"


# ------------------------------------------------------------------ history and diff
def test_history_and_diff_show_changed_answers_and_scores(world: World) -> None:
    first = approved(world)
    second = start(world)
    services.save_answers(second, {"GOV-01": 0, "GOV-03": 4}, actor=world.users["mall_admin"])
    site = first.site_id
    operator = client_for(world, "mall_admin")
    page = operator.get(f"/assessments/site/{site}/").content.decode()
    assert f"#{first.pk}" in page and f"#{second.pk}" in page
    assert f"/assessments/{first.pk}/diff/{second.pk}/" in page
    response = operator.get(f"/assessments/site/{site}/compare/?old={first.pk}&new={second.pk}")
    assert response["Location"] == f"/assessments/{first.pk}/diff/{second.pk}/"
    # Either order: older → newer.
    page = operator.get(f"/assessments/{second.pk}/diff/{first.pk}/").content.decode()
    assert f"Changes from assessment #{first.pk} to #{second.pk}" in page
    assert "2 answers changed" in page
    assert "GOV-01" in page and "GOV-03" in page
    assert "Vehicle as a weapon" in page  # a scenario row
    other = approved(world, site="mall_south", reviewer="police_s")
    assert operator.get(f"/assessments/{first.pk}/diff/{other.pk}/").status_code == 404


# ------------------------------------------------------------------ plan, action items, acceptance
def test_plan_page_and_create_action_items(world: World) -> None:
    a = approved(world)
    operator = client_for(world, "mall_admin")
    response = operator.get(f"/assessments/{a.pk}/plan/?capex=20000&opex=10000")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Best plan within the budgets" in page and 'id="plan-measures"' in page
    assert "<svg" in page and "chart__line" in page  # the Pareto chart
    assert "Create action items from this plan" in page
    chosen = response.context["plan"]["chosen"]
    ids = [m["id"] for m in chosen[:2]]
    response = operator.post(
        f"/assessments/{a.pk}/plan/actions/",
        {"measure_ids": ids, "due_date": "2000-01-31", "capex": "20000", "opex": "10000"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/assessments/site/{a.site_id}/actions/"
    assert sorted(ActionItem.objects.values_list("measure_id", flat=True)) == sorted(ids)
    page = operator.get(response["Location"]).content.decode()
    assert page.count("row--overdue") == 2 and "Overdue" in page
    # The police read the plan but do not create action items.
    police_page = client_for(world, "police_n").get(f"/assessments/{a.pk}/plan/?capex=0")
    assert b"Create action items from this plan" not in police_page.content
    assert (
        client_for(world, "police_n")
        .post(f"/assessments/{a.pk}/plan/actions/", {"measure_ids": ids})
        .status_code
        == 403
    )


def test_plan_form_rejects_negative_budget(world: World) -> None:
    a = submitted(world)
    response = client_for(world, "mall_admin").get(f"/assessments/{a.pk}/plan/?capex=-5")
    assert response.status_code == 200
    assert b'id="id_capex_error"' in response.content
    assert response.context["plan"] is None


def test_edit_action_item_and_readers_cannot(world: World) -> None:
    a = approved(world)
    mid = services.scoring.plan_problem(a).ids[0]
    item = services.create_action_items(a, [mid], actor=world.users["mall_admin"])[0]
    url = f"/assessments/actions/{item.pk}/"
    assert client_for(world, "mall_reader").get(url).status_code == 403
    assert client_for(world, "police_n").post(url, {"status": "done"}).status_code == 403
    operator = client_for(world, "mall_admin")
    assert operator.get(url).status_code == 200
    response = operator.post(
        url,
        {
            "status": "in_progress",
            "owner": str(world.users["mall_reader"].pk),
            "owner_name": "",
            "due_date": "2031-05-01",
            "notes": "Quote requested.",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "in_progress" and item.owner == world.users["mall_reader"]
    assert str(item.due_date) == "2031-05-01"
    response = operator.post(url, {"status": "nonsense"})
    assert response.status_code == 200 and b'id="id_status_error"' in response.content


def test_accept_and_revoke_risk(world: World) -> None:
    a = approved(world)
    site = a.site_id
    operator = client_for(world, "mall_admin")  # ORG_ADMIN: may sign off
    page = operator.get(f"/assessments/site/{site}/actions/").content.decode()
    assert "Accept risk" in page
    response = operator.post(
        f"/assessments/site/{site}/accept/",
        {"scenario": "uas", "rationale": "", "expires_on": "2000-01-01"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_rationale_error"' in page and 'id="id_expires_on_error"' in page
    response = operator.post(
        f"/assessments/site/{site}/accept/",
        {"scenario": "uas", "rationale": "Drones are banned here.", "expires_on": "2099-01-01"},
    )
    assert response.status_code == 302
    acceptance = RiskAcceptance.objects.get(assessment=a)
    assert acceptance.status == "active" and acceptance.accepted_by == world.users["mall_admin"]
    page = operator.get(f"/assessments/site/{site}/actions/").content.decode()
    assert "Drones are banned here." in page and "Revoke" in page
    # Police see the acceptance but cannot sign off or revoke.
    police = client_for(world, "police_n")
    police_page = police.get(f"/assessments/site/{site}/actions/").content.decode()
    assert "Drones are banned here." in police_page and "Revoke" not in police_page
    assert police.post(f"/assessments/acceptances/{acceptance.pk}/revoke/").status_code == 403
    response = operator.post(f"/assessments/acceptances/{acceptance.pk}/revoke/")
    assert response.status_code == 302
    assert RiskAcceptance.objects.get(pk=acceptance.pk).status == "revoked"


# ------------------------------------------------------------------ reports
def test_report_downloads(world: World) -> None:
    pytest.importorskip("placeguard.web.reports")
    a = approved(world)
    operator = client_for(world, "mall_admin")
    response = operator.get(f"/assessments/{a.pk}/report.html")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"North Mall" in response.content
    response = operator.get(f"/assessments/{a.pk}/report.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert operator.get(f"/assessments/{a.pk}/report.doc").status_code == 404


# ------------------------------------------------------------------ portfolio
def _portfolio_names(client: Client, query: str = "") -> list[str]:
    response = client.get(f"/assessments/portfolio/{query}")
    assert response.status_code == 200
    return [site.name for site in response.context["sites"]]


def test_portfolio_is_scoped_to_the_user(world: World) -> None:
    approved(world)  # North Mall, assessed
    assert sorted(_portfolio_names(client_for(world, "mall_admin"))) == ["North Mall", "South Mall"]
    assert sorted(_portfolio_names(client_for(world, "police_n"))) == ["North Hotel", "North Mall"]
    assert len(_portfolio_names(client_for(world, "ministry"))) == 4
    assert _portfolio_names(client_for(world, "programme")) == []
    # Ranked by risk: the assessed site first, with its band; filters narrow.
    police = client_for(world, "police_n")
    assert _portfolio_names(police)[0] == "North Mall"
    assert _portfolio_names(police, "?assessed=no") == ["North Hotel"]
    assert _portfolio_names(police, "?site_type=hospitality") == ["North Hotel"]
    assert _portfolio_names(police, "?region=north-b") == ["North Hotel"]
    # A region outside its jurisdiction is not offered; asking for it never widens the view.
    assert sorted(_portfolio_names(police, "?region=south-a")) == ["North Hotel", "North Mall"]
    page = police.get("/assessments/portfolio/").content.decode()
    assert 'id="site-map-markers"' in page and '"band": "' in page


def test_portfolio_csv_is_scoped_and_guards_formulas(world: World) -> None:
    site_services.create_site(
        site_raw(name='=HYPERLINK("http://evil")', region="north-a"), actor=None
    )
    approved(world)
    response = client_for(world, "police_n").get("/assessments/portfolio.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="placeguard-portfolio.csv"'
    rows = list(csv.DictReader(io.StringIO(streamed(response))))
    names = {row["site"] for row in rows}
    assert '\'=HYPERLINK("http://evil")' in names
    assert "South Mall" not in names and "North Mall" in names
    north = next(row for row in rows if row["site"] == "North Mall")
    assert north["rank"] == "1" and north["worst_band"] and float(north["total_risk"]) > 0
    assert north["assessment_status"] == "approved"
    filtered = client_for(world, "police_n").get("/assessments/portfolio.csv?assessed=yes")
    assert [r["site"] for r in csv.DictReader(io.StringIO(streamed(filtered)))] == ["North Mall"]


def test_action_plan_exports_are_scoped_and_guarded(world: Any) -> None:
    from io import BytesIO

    from django.test import Client
    from openpyxl import load_workbook

    from placeguard.web.assessments import services
    from tests.conftest import PASSWORD

    site = world.sites["mall_north"]
    admin = world.users["mall_admin"]
    assessment = services.start_assessment(site, actor=admin)
    services.submit(assessment, actor=admin)
    from placeguard.web.assessments.scoring import plan_problem

    measure = plan_problem(assessment).ids[0]
    first = services.create_action_items(assessment, [measure], actor=admin)[0]
    services.update_action_item(first, {"notes": "=HYPERLINK(1)"}, actor=admin)
    client = Client()
    assert client.login(username="mall_admin", password=PASSWORD)
    csv_text = client.get(f"/assessments/site/{site.pk}/actions.csv").content.decode()
    assert "'=HYPERLINK(1)" in csv_text
    workbook = load_workbook(
        BytesIO(client.get(f"/assessments/site/{site.pk}/actions.xlsx").content)
    )
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0] == "id" and len(rows) == 2
    outsider = Client()
    assert outsider.login(username="hotel_admin", password=PASSWORD)
    assert outsider.get(f"/assessments/site/{site.pk}/actions.csv").status_code == 404
    assert client.get(f"/assessments/site/{site.pk}/actions.pdf").status_code == 404
