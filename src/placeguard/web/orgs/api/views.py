"""Authentication, organisations, users and regions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from placeguard.core.errors import NotFoundError, PermissionDeniedError
from placeguard.web.common.problems import PROBLEM_CONTENT_TYPE, problem
from placeguard.web.orgs import services, throttle
from placeguard.web.orgs.access import is_principal_valid, visible_organisations, visible_users
from placeguard.web.orgs.api.serializers import (
    ApiTokenCreatedSerializer,
    ApiTokenCreateSerializer,
    ApiTokenSerializer,
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
from placeguard.web.orgs.scopes import ALL as ALL_SCOPES
from placeguard.web.orgs.scopes import TokenScopePermission
from placeguard.web.orgs.twofactor import has_confirmed_totp, session_two_factor_ok


def _actor(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _auth_problem(
    status_code: int, code: str, title: str, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        problem(status_code, code, title),
        status=status_code,
        content_type=PROBLEM_CONTENT_TYPE,
        headers=headers,
    )


def _locked(lock: throttle.Lockout) -> Response:
    return _auth_problem(
        429,
        "login_locked",
        str(_("Too many failed logins. Try again in %(minutes)d minute(s).") % {
            "minutes": max(1, -(-lock.retry_after // 60))}),
        headers={"Retry-After": str(lock.retry_after)},
    )  # fmt: skip


class TokenView(APIView):
    """Exchange a username and password (and TOTP code) for an API token; DELETE revokes it.

    Failed attempts count towards the login lockout shared with the web login (429 with
    ``Retry-After`` while locked). A user with two-factor on must send ``otp``; the token is
    then marked as two-factor. A member of an organisation that requires two-factor and has
    not enrolled gets 403 ``two_factor_enrolment_required`` (enrol on the web first).
    """

    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"
    required_scope_area = "account"

    @extend_schema(request=TokenRequestSerializer, responses={201: TokenResponseSerializer})
    def post(self, request: Request) -> Response:  # noqa: PLR0911 - one return per outcome
        """Log in."""
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        username = serializer.validated_data["username"]
        ip = throttle.client_ip(request._request)
        lock = throttle.check(username, ip)
        if lock is not None:
            return _locked(lock)
        user = authenticate(
            request._request, username=username, password=serializer.validated_data["password"]
        )
        if not isinstance(user, User) or not is_principal_valid(user):
            lock = throttle.record_failure(username, ip, stage="password")
            if lock is not None:
                return _locked(lock)
            return _auth_problem(
                401,
                "invalid_credentials",
                "Invalid username or password.",
                headers={"WWW-Authenticate": "Token"},
            )
        two_factor = False
        if has_confirmed_totp(user):
            code = serializer.validated_data.get("otp") or ""
            if not code:
                return _auth_problem(
                    401,
                    "otp_required",
                    str(_("Two-factor authentication is on: send the code as otp.")),
                    headers={"WWW-Authenticate": "Token"},
                )
            if not services.verify_second_factor(user, code):
                lock = throttle.record_failure(username, ip, stage="totp")
                if lock is not None:
                    return _locked(lock)
                return _auth_problem(
                    401,
                    "invalid_otp",
                    str(_("The two-factor code is not valid.")),
                    headers={"WWW-Authenticate": "Token"},
                )
            two_factor = True
        elif user.organisation is not None and user.organisation.require_two_factor:
            return _auth_problem(
                403,
                "two_factor_enrolment_required",
                str(_("Your organisation requires two-factor: enrol on the web first.")),
            )
        throttle.clear(username)
        token, secret = services.issue_token(user, actor=user, two_factor=two_factor)
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
            return [IsAuthenticated(), TokenScopePermission()]
        return [AllowAny()]


class ApiTokenViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[ApiToken],
):
    """The caller's own API tokens: list, create (secret shown once), revoke (DELETE).

    A token used to create a token passes on at most its own scopes, lifetime and write
    access; a token from a two-factor session (or two-factor token) is marked two-factor.
    """

    serializer_class = ApiTokenSerializer
    pagination_class = None
    required_scope_area = "account"

    def get_queryset(self) -> QuerySet[ApiToken]:
        user = self.request.user
        if not isinstance(user, User) or not is_principal_valid(user):
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user=user).order_by("-created", "-pk")

    @extend_schema(request=ApiTokenCreateSerializer, responses={201: ApiTokenCreatedSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actor = _actor(request)
        serializer = ApiTokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        parent = request.auth if isinstance(request.auth, ApiToken) else None
        token, secret = services.issue_token(
            actor,
            actor=actor,
            name=data.get("name", ""),
            scopes=data.get("scopes") or [ALL_SCOPES],
            read_only=data.get("read_only", False),
            ttl_hours=data.get("ttl_hours"),
            two_factor=session_two_factor_ok(request),
            parent=parent,
        )
        body = dict(ApiTokenSerializer(token).data)
        body["token"] = secret
        return Response(body, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.revoke_token(self.get_object(), actor=_actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """The caller, with organisation and roles."""

    required_scope_area = "account"

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
            data=request.data, partial=kwargs.get("partial", False), context={"instance": org}
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
