"""``/api/v1/`` routes."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView
from rest_framework.routers import DefaultRouter

from placeguard.web.allocation.api.views import (
    CoverageView,
    PatrolPlanViewSet,
    PatrolTeamViewSet,
    ResponseStationViewSet,
)
from placeguard.web.assessments.api.views import (
    ActionItemViewSet,
    AllocationView,
    AssessmentViewSet,
    PortfolioView,
    RiskAcceptanceViewSet,
    RiskQuestionsView,
)
from placeguard.web.capacity.api.views import (
    ActionPlanViewSet,
    CourseViewSet,
    TrainingRequestViewSet,
)
from placeguard.web.engineering.api.views import EngineeringStudyViewSet
from placeguard.web.exercises.api.views import (
    CorrectiveActionViewSet,
    ExerciseViewSet,
    InjectViewSet,
)
from placeguard.web.intel.api.views import IntelDatasetViewSet
from placeguard.web.orgs.api.views import (
    ApiTokenViewSet,
    MeView,
    OrganisationViewSet,
    RegionViewSet,
    TokenView,
    UserViewSet,
)
from placeguard.web.sharing.api.break_glass import BreakGlassViewSet
from placeguard.web.sharing.api.views import BulletinViewSet, SharingGroupViewSet
from placeguard.web.sites.api.views import SiteViewSet

router = DefaultRouter(trailing_slash=True)
router.register("sites", SiteViewSet, basename="site")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("users", UserViewSet, basename="user")
router.register("regions", RegionViewSet, basename="region")
router.register("auth/tokens", ApiTokenViewSet, basename="api-token")
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("action-items", ActionItemViewSet, basename="action-item")
router.register("risk-acceptances", RiskAcceptanceViewSet, basename="risk-acceptance")
router.register("patrol-teams", PatrolTeamViewSet, basename="patrol-team")
router.register("response-stations", ResponseStationViewSet, basename="response-station")
router.register("patrol-plans", PatrolPlanViewSet, basename="patrol-plan")
router.register("engineering-studies", EngineeringStudyViewSet, basename="engineering-study")
router.register("intel-datasets", IntelDatasetViewSet, basename="intel-dataset")
router.register("training-requests", TrainingRequestViewSet, basename="training-request")
router.register("courses", CourseViewSet, basename="course")
router.register("action-plans", ActionPlanViewSet, basename="action-plan")
router.register("exercises", ExerciseViewSet, basename="exercise")
router.register("exercise-injects", InjectViewSet, basename="exercise-inject")
router.register("corrective-actions", CorrectiveActionViewSet, basename="corrective-action")
router.register("bulletins", BulletinViewSet, basename="bulletin")
router.register("sharing-groups", SharingGroupViewSet, basename="sharing-group")
router.register("break-glass", BreakGlassViewSet, basename="break-glass")

app_name = "api"
urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("me/", MeView.as_view(), name="me"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularRedocView.as_view(url_name="api:schema"), name="docs"),
    path("risk/questions/", RiskQuestionsView.as_view(), name="risk-questions"),
    path("portfolio/", PortfolioView.as_view(), name="portfolio"),
    path("portfolio/allocation/", AllocationView.as_view(), name="portfolio-allocation"),
    path("coverage/", CoverageView.as_view(), name="coverage"),
    path("", include(router.urls)),
    path("", include("placeguard.web.sars.api.urls")),
    path("", include("placeguard.web.incidents.api.urls")),
    path("", include("placeguard.web.practices.api.urls")),
    path("", include("placeguard.web.notifications.api.urls")),
    path("", include("placeguard.web.interchange.api.urls")),
]
