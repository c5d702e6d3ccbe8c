"""Forms of the organisation pages. Rules live in ``orgs.services``; these only collect input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from placeguard.web.common.forms import PlaceguardForm
from placeguard.web.orgs.choices import Role
from placeguard.web.orgs.services import ORG_ADMIN_GRANTABLE

__all__ = ["OrganisationForm", "UserCreateForm", "UserEditForm", "grantable_role_choices"]


def grantable_role_choices() -> list[tuple[str, str]]:
    """Roles an organisation admin may grant, in the order of ``Role``."""
    return [(value, str(label)) for value, label in Role.choices if value in ORG_ADMIN_GRANTABLE]


ROLE_HELP = _(
    "Analysts, publishers and organisation admins may register and edit sites; organisation "
    "admins also manage users; auditors read the organisation's audit trail."
)


class _MemberFields(PlaceguardForm):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=ROLE_HELP,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("roles", grantable_role_choices())


class UserCreateForm(_MemberFields):
    """A new member of the admin's organisation."""

    field_order = ["username", "first_name", "last_name", "email", "roles", "password", "password2"]

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Initial password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters, not a common password. Share it safely."),
    )
    password2 = forms.CharField(
        label=_("Initial password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["roles"].initial = [Role.READER]

    def clean(self) -> dict[str, Any]:
        """Both password entries must match."""
        data = super().clean() or {}
        first, second = data.get("password"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        return data


class UserEditForm(_MemberFields):
    """Name, email, roles and active flag of a member."""

    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("Inactive users cannot log in, and their API tokens are revoked."),
    )


class OrganisationForm(PlaceguardForm):
    """What an organisation admin may change about their organisation."""

    name = forms.CharField(label=_("Name"), max_length=200)
    contact_email = forms.EmailField(label=_("Contact email"), required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
