"""Forms of the interchange page: what to export, which file to import."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from placeguard.web.sharing.choices import Tlp


class ExportForm(forms.Form):
    """The export's maximum TLP (the page submits it to the API download)."""

    max_tlp = forms.ChoiceField(
        label=_("Most restrictive TLP to include"), choices=Tlp.choices, initial=Tlp.GREEN
    )


class ImportForm(forms.Form):
    """A STIX 2.1 bundle to import as organisation-only drafts."""

    file = forms.FileField(
        label=_("STIX 2.1 bundle (JSON)"),
        help_text=_(
            "Reports, notes and incidents become drafts visible to your organisation only."
        ),
    )
