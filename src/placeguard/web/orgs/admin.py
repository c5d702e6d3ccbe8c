"""Django admin for platform admins: organisations, vetting, regions and users.

Every save calls the orgs services, so admin changes are validated and audited like any other.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from placeguard.web.common.admin_base import PlatformAdminOnly
from placeguard.web.orgs import services
from placeguard.web.orgs.choices import Role
from placeguard.web.orgs.models import Organisation, Region, User

admin.site.site_header = _("PlaceGuard administration")
admin.site.site_title = _("PlaceGuard admin")


@admin.register(Organisation)
class OrganisationAdmin(PlatformAdminOnly):
    """Register, vet and deactivate organisations."""

    list_display = ("name", "slug", "kind", "country_code", "vetted", "active")
    list_filter = ("kind", "vetted", "active", "country_code")
    search_fields = ("name", "slug")
    filter_horizontal = ("regions",)
    fields = ("slug", "name", "kind", "country_code", "regions", "vetted", "active",
              "contact_email", "description")  # fmt: skip

    def save_model(self, request: HttpRequest, obj: Organisation, form: Any, change: bool) -> None:
        data = dict(form.cleaned_data)
        regions = data.pop("regions", [])
        fields = {k: v for k, v in data.items() if k in services.ORG_FIELDS}
        if change:
            saved = services.update_organisation(
                obj, actor=self.actor(request), regions=regions, **fields
            )
        else:
            saved = services.create_organisation(
                actor=self.actor(request), regions=regions, **fields
            )
        obj.pk = saved.pk


@admin.register(Region)
class RegionAdmin(PlatformAdminOnly):
    """Regions are added once and then referenced; their codes never change."""

    list_display = ("name", "code", "country_code")
    list_filter = ("country_code",)
    search_fields = ("name", "code")
    fields = ("code", "name", "country_code", "latitude", "longitude")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Region, form: Any, change: bool) -> None:
        data = form.cleaned_data
        saved = services.create_region(
            actor=self.actor(request),
            code=data["code"],
            name=data["name"],
            country_code=data["country_code"],
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
        )
        obj.pk = saved.pk


class UserAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    """User fields plus roles and, on creation, an initial password."""

    roles = forms.MultipleChoiceField(
        label=_("roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=True
    )
    password = forms.CharField(
        label=_("initial password"), widget=forms.PasswordInput, required=False,
        help_text=_("Leave empty to create the account without a usable password."),
    )  # fmt: skip

    class Meta:
        model = User
        fields = ("username", "organisation", "first_name", "last_name", "email", "is_active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["roles"].initial = sorted(self.instance.role_set)
            self.fields["username"].disabled = True
            self.fields["organisation"].disabled = True
            del self.fields["password"]
        self.fields["organisation"].required = True


@admin.register(User)
class UserAdmin(PlatformAdminOnly):
    """Create users in any organisation, change their roles, deactivate them."""

    form = UserAdminForm
    list_display = (
        "username",
        "organisation",
        "first_name",
        "last_name",
        "is_active",
        "last_login",
    )
    list_filter = ("is_active", "organisation__kind", "organisation")
    search_fields = ("username", "first_name", "last_name", "email")
    list_select_related = ("organisation",)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        data = form.cleaned_data
        actor = self.actor(request)
        if change:
            services.update_user(
                obj, actor=actor,
                **{k: data[k] for k in ("first_name", "last_name", "email", "is_active")},
            )  # fmt: skip
            services.set_roles(obj, data["roles"], actor=actor)
            return
        saved = services.create_user(
            actor=actor,
            username=data["username"],
            organisation=data["organisation"],
            roles=data["roles"],
            password=data.get("password") or None,
            email=data.get("email", ""),
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
        )
        obj.pk = saved.pk

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return _with_service_errors(form, obj)


def _with_service_errors(form_class: Any, obj: Any) -> Any:
    """Run the service's validation while the admin form cleans, so errors show on the form."""

    class Checked(form_class):  # type: ignore[misc]  # dynamic admin form class
        def clean(self) -> dict[str, Any]:
            data: dict[str, Any] = super().clean()
            username = data.get("username")
            if obj is None and username and User.objects.filter(username__iexact=username).exists():
                self.add_error("username", _("This username is taken."))
            password = data.get("password")
            if password and obj is None:
                from django.contrib.auth.password_validation import validate_password

                try:
                    validate_password(password)
                except forms.ValidationError as exc:
                    self.add_error("password", exc)
            return data

    return Checked
