"""Authentication, organisations, users and regions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from placeguard.core.errors import NotFoundError, PermissionDeniedError
from placeguard.web.orgs import services
from placeguard.web.orgs.access import is_principal_valid, visible_organisations, visible_users
from placeguard.web.orgs.api.serializers import (
    OrganisationSerializer,
    OrganisationWriteSerializer,
    RegionSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
    UserCreateSerializer,
    UserSerializer,
    UserUpdateSerializer,
)
from placeguard.web.orgs.models import ApiToken, Organisation, Region, User


def _actor(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


class TokenView(APIView):
    """Exchange a username and password for an API token; DELETE revokes the token in use."""

    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(request=TokenRequestSerializer, responses={201: TokenResponseSerializer})
    def post(self, request: Request) -> Response:
        """Log in."""
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if not isinstance(user, User) or not is_principal_valid(user):
            return Response(
                {
                    "type": "https://placeguard.readthedocs.io/problems/invalid_credentials",
                    "title": "Invalid username or password.",
                    "status": 401,
                    "code": "invalid_credentials",
                },
                status=status.HTTP_401_UNAUTHORIZED,
                content_type="application/problem+json",
                headers={"WWW-Authenticate": "Token"},
            )
        token, secret = services.issue_token(user, actor=user)
        return Response({"token": secret, "expires": token.expires}, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        """Revoke the token used for this request."""
        if not isinstance(request.auth, ApiToken):
            msg = "This request did not use a token."
            raise NotFoundError(msg)
        services.revoke_token(request.auth, actor=_actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method == "DELETE":
            return [IsAuthenticated()]
        return [AllowAny()]


class MeView(APIView):
    """The caller, with organisation and roles."""

    @extend_schema(responses=UserSerializer)
    def get(self, request: Request) -> Response:
        """Who am I."""
        return Response(UserSerializer(_actor(request)).data)


class RegionViewSet(viewsets.ReadOnlyModelViewSet[Region]):
    """Regions (the unit of jurisdiction)."""

    serializer_class = RegionSerializer
    queryset = Region.objects.all()
    pagination_class = None
    filterset_fields = ["country_code"]


class OrganisationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Organisation],
):
    """The organisation directory. Platform admins create and vet organisations."""

    filterset_fields = ["kind", "vetted", "country_code"]

    def get_queryset(self) -> QuerySet[Organisation]:
        return visible_organisations(self.request.user).prefetch_related("regions")

    def get_serializer_class(self) -> type[BaseSerializer[Organisation]]:
        if self.action in {"create", "update", "partial_update"}:
            return OrganisationWriteSerializer
        return OrganisationSerializer

    def _read(self, org: Organisation, code: int = 200) -> Response:
        return Response(
            OrganisationSerializer(self.get_queryset().get(pk=org.pk)).data, status=code
        )

    @extend_schema(request=OrganisationWriteSerializer, responses={201: OrganisationSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actor = _actor(request)
        if not actor.is_platform_admin:
            msg = "Only platform admins create organisations."
            raise PermissionDeniedError(msg)
        serializer = OrganisationWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        regions = fields.pop("regions", [])
        org = services.create_organisation(actor=actor, regions=regions, **fields)
        return self._read(org, 201)

    @extend_schema(request=OrganisationWriteSerializer, responses={200: OrganisationSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        org = self.get_object()
        serializer = OrganisationWriteSerializer(
            data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        regions = fields.pop("regions", None)
        org = services.update_organisation(org, actor=_actor(request), regions=regions, **fields)
        return self._read(org)


class UserViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[User],
):
    """Users: org admins manage their own organisation's, platform admins everyone's."""

    filterset_fields = ["is_active"]

    def get_queryset(self) -> QuerySet[User]:
        return visible_users(self.request.user).order_by("username")

    def get_serializer_class(self) -> type[BaseSerializer[User]]:
        if self.action == "create":
            return UserCreateSerializer
        if self.action in {"update", "partial_update"}:
            return UserUpdateSerializer
        return UserSerializer

    def _read(self, user: User, code: int = 200) -> Response:
        return Response(UserSerializer(self.get_queryset().get(pk=user.pk)).data, status=code)

    @extend_schema(request=UserCreateSerializer, responses={201: UserSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actor = _actor(request)
        if not (actor.is_org_admin or actor.is_platform_admin):
            msg = "Only organisation admins create users."
            raise PermissionDeniedError(msg)
        serializer = UserCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        org = data.pop("organisation", None) or actor.organisation
        if not actor.is_platform_admin:
            org = actor.organisation
        assert org is not None
        user = services.create_user(actor=actor, organisation=org, **data)
        return self._read(user, 201)

    @extend_schema(request=UserUpdateSerializer, responses={200: UserSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = self.get_object()
        actor = _actor(request)
        if actor.pk != user.pk and not (actor.is_org_admin or actor.is_platform_admin):
            msg = "Only organisation admins change other users."
            raise PermissionDeniedError(msg)
        serializer = UserUpdateSerializer(data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        user = services.update_user(user, actor=actor, **data)
        return self._read(user)
