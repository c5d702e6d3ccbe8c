"""Web routes (pages) of risk assessments, action plans and the portfolio."""

from __future__ import annotations

from django.urls import URLPattern, path

from placeguard.web.assessments import views

app_name = "assessments"
urlpatterns: list[URLPattern] = [
    path("", views.assessment_list, name="list"),
    path("portfolio/", views.portfolio, name="portfolio"),
    path("portfolio.csv", views.portfolio_csv, name="portfolio_csv"),
    path("portfolio/allocation/", views.grant_allocation, name="allocation"),
    path("portfolio/allocation.csv", views.grant_allocation_csv, name="allocation_csv"),
    path("<int:assessment_id>/", views.assessment_detail, name="detail"),
    path("<int:assessment_id>/answers/", views.save_section, name="save_section"),
    path("<int:assessment_id>/context/", views.update_context, name="context"),
    path("<int:assessment_id>/submit/", views.submit_assessment, name="submit"),
    path("<int:assessment_id>/comments/", views.add_comment, name="comment"),
    path("<int:assessment_id>/approve/", views.approve_assessment, name="approve"),
    path("<int:assessment_id>/return/", views.return_assessment, name="return"),
    path("<int:assessment_id>/plan/", views.assessment_plan, name="plan"),
    path("<int:assessment_id>/plan/actions/", views.create_action_items, name="create_actions"),
    path("<int:assessment_id>/plan/compare/", views.assessment_whatif, name="whatif"),
    path("<int:assessment_id>/diff/<int:other_id>/", views.assessment_diff, name="diff"),
    path("<int:assessment_id>/report.<str:fmt>", views.assessment_report, name="report"),
    path("site/<int:site_id>/", views.site_history, name="history"),
    path("site/<int:site_id>/start/", views.start_assessment, name="start"),
    path("site/<int:site_id>/compare/", views.compare, name="compare"),
    path("site/<int:site_id>/actions/", views.site_actions, name="actions"),
    path("site/<int:site_id>/actions.<str:fmt>", views.site_actions_export, name="actions_export"),
    path("site/<int:site_id>/accept/", views.accept_risk, name="accept"),
    path("actions/<int:item_id>/", views.edit_action_item, name="action_item"),
    path("acceptances/<int:acceptance_id>/revoke/", views.revoke_acceptance, name="revoke"),
]
