"""Organisation, user, region and token API shapes."""

from __future__ import annotations

from rest_framework import serializers

from placeguard.web.common.strict import StrictInputMixin
from placeguard.web.orgs.choices import OrgKind, Role
from placeguard.web.orgs.models import ApiToken, Organisation, Region, User
from placeguard.web.orgs.scopes import ALL, SCOPES


class RegionSerializer(serializers.ModelSerializer[Region]):
    """A region."""

    class Meta:
        model = Region
        fields = ["id", "code", "name", "country_code", "latitude", "longitude"]
        read_only_fields = fields


class OrganisationSerializer(serializers.ModelSerializer[Organisation]):
    """An organisation as read."""

    regions: serializers.SlugRelatedField[Region] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )

    class Meta:
        model = Organisation
        fields = [
            "id", "uuid", "slug", "name", "kind", "country_code", "regions", "vetted", "active",
            "contact_email", "description",
        ]  # fmt: skip
        read_only_fields = fields


class OrganisationWriteSerializer(StrictInputMixin, serializers.Serializer[Organisation]):
    """Input for creating or changing an organisation; its kind is fixed once created."""

    immutable_fields = ("kind",)

    slug = serializers.SlugField(max_length=64)
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=OrgKind.choices)
    country_code = serializers.CharField(max_length=8)
    regions = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Region.objects.all(), required=False
    )
    vetted = serializers.BooleanField(required=False)
    active = serializers.BooleanField(required=False)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)


class UserSerializer(serializers.ModelSerializer[User]):
    """A user as read (no security fields)."""

    organisation: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "organisation",
            "roles",
            "is_active",
        ]
        read_only_fields = fields

    def get_roles(self, user: User) -> list[str]:
        """The user's roles, sorted."""
        return sorted(user.role_set)


class UserCreateSerializer(StrictInputMixin, serializers.Serializer[User]):
    """Input for creating a user in the caller's organisation (or any, for platform admins)."""

    username = serializers.CharField(max_length=150)
    email = serializers.EmailField(required=False, allow_blank=True)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices), min_length=1)
    password = serializers.CharField(
        write_only=True, required=False, style={"input_type": "password"}
    )
    organisation = serializers.SlugRelatedField(
        slug_field="slug", queryset=Organisation.objects.all(), required=False
    )


class UserUpdateSerializer(StrictInputMixin, serializers.Serializer[User]):
    """Input for changing a user."""

    email = serializers.EmailField(required=False, allow_blank=True)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), required=False
    )


class TokenRequestSerializer(StrictInputMixin, serializers.Serializer[User]):
    """Username and password."""

    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Authenticator or recovery code; required when the user has two-factor on.",
    )


class TokenResponseSerializer(serializers.Serializer[User]):
    """The new token (shown once) and when it expires."""

    token = serializers.CharField()
    expires = serializers.DateTimeField()


SCOPE_CHOICES = [ALL, *SCOPES]


class ApiTokenSerializer(serializers.ModelSerializer[ApiToken]):
    """One of the caller's tokens (never its secret)."""

    class Meta:
        model = ApiToken
        fields = [
            "id", "name", "prefix", "scopes", "read_only", "two_factor", "created", "expires",
            "last_used", "revoked",
        ]  # fmt: skip
        read_only_fields = fields


class ApiTokenCreateSerializer(StrictInputMixin, serializers.Serializer[ApiToken]):
    """Input for a new token of the caller."""

    name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=SCOPE_CHOICES), min_length=1, required=False
    )
    read_only = serializers.BooleanField(required=False, default=False)  # type: ignore[assignment]
    ttl_hours = serializers.IntegerField(required=False, min_value=1)


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    """A new token with its secret, shown this once."""

    token = serializers.CharField(read_only=True)

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields
