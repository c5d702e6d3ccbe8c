"""Forms of the intelligence pages: upload, dashboard filters and the claim tester."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from placeguard.web.intel.choices import ClaimDirection, ClaimMetric, DatasetSource

URBAN_CHOICES = [("", _("All")), ("yes", _("Urban only")), ("no", _("Non-urban only"))]
BY_CHOICES = [
    ("category", _("Target category")),
    ("scenario", _("Attack mode")),
    ("region", _("Region")),
]
MAX_UPLOAD_BYTES = 2 * 1024**3


class UploadForm(forms.Form):
    """An incident file, its layout and (for CSV) the column mapping."""

    name = forms.CharField(label=_("Name"), max_length=200)
    source = forms.ChoiceField(label=_("Source layout"), choices=DatasetSource.choices)
    file = forms.FileField(label=_("Incident file"))
    mapping = forms.CharField(
        label=_("Column mapping (YAML or JSON, CSV only)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    mapping_file = forms.FileField(label=_("…or a mapping file"), required=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload is not None and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 GB."))
        return upload

    def mapping_text(self) -> str:
        """The mapping from the text box or the mapping file."""
        upload = self.cleaned_data.get("mapping_file")
        if upload is not None:
            return bytes(upload.read()).decode("utf-8", errors="replace")
        return str(self.cleaned_data.get("mapping") or "")


def _choices(values: list[str]) -> list[tuple[str, Any]]:
    return [("", _("All")), *[(v, v) for v in values]]


class FilterForm(forms.Form):
    """Dashboard filters (GET)."""

    by = forms.ChoiceField(label=_("Break down by"), choices=BY_CHOICES, required=False)
    category = forms.ChoiceField(label=_("Target category"), required=False)
    scenario = forms.ChoiceField(label=_("Attack mode"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    urban = forms.ChoiceField(label=_("Urban"), choices=URBAN_CHOICES, required=False)
    first_year = forms.IntegerField(label=_("From year"), required=False, min_value=1900,
                                    max_value=2100)  # fmt: skip
    last_year = forms.IntegerField(label=_("To year"), required=False, min_value=1900,
                                   max_value=2100)  # fmt: skip
    split_year = forms.IntegerField(label=_("Split year"), required=False, min_value=1900,
                                    max_value=2100)  # fmt: skip
    breaks = forms.CharField(label=_("Collection breaks (years, comma-separated; 'none')"),
                             required=False, max_length=200)  # fmt: skip

    def __init__(self, *args: Any, facets: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _choices(facets.get("categories", []))  # type: ignore[attr-defined]
        self.fields["scenario"].choices = _choices(facets.get("scenarios", []))  # type: ignore[attr-defined]
        self.fields["region"].choices = _choices(facets.get("regions", []))  # type: ignore[attr-defined]
        if not facets.get("urban"):
            del self.fields["urban"]

    def clean_breaks(self) -> tuple[int, ...] | None:
        text = (self.cleaned_data.get("breaks") or "").strip()
        if not text:
            return None
        if text.lower() == "none":
            return ()
        try:
            years = tuple(sorted({int(x) for x in text.split(",") if x.strip()}))
        except ValueError:
            msg = _("Years separated by commas, e.g. 1998,2008,2012")
            raise forms.ValidationError(msg) from None
        if any(not 1900 <= y <= 2100 for y in years):
            raise forms.ValidationError(_("Years between 1900 and 2100."))
        return years

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_year"), data.get("last_year")
        if first is not None and last is not None and first > last:
            self.add_error("last_year", _("The last year is before the first."))
        return data


class ClaimForm(forms.Form):
    """A claim, stated precisely (field ids ``id_claim-…``: apart from the filter form's)."""

    prefix = "claim"

    metric = forms.ChoiceField(label=_("Metric"), choices=ClaimMetric.choices)
    direction = forms.ChoiceField(label=_("Direction"), choices=ClaimDirection.choices)
    category = forms.ChoiceField(label=_("Target category"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    urban = forms.ChoiceField(label=_("Urban"), choices=URBAN_CHOICES, required=False)
    split_year = forms.IntegerField(label=_("Split year (empty: annual trend)"), required=False,
                                    min_value=1900, max_value=2100)  # fmt: skip

    def __init__(self, *args: Any, facets: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _choices(facets.get("categories", []))  # type: ignore[attr-defined]
        self.fields["region"].choices = _choices(facets.get("regions", []))  # type: ignore[attr-defined]
        if not facets.get("urban"):
            del self.fields["urban"]


def urban_value(text: str | None) -> bool | None:
    """``yes``/``no``/empty → True/False/None."""
    return {"yes": True, "no": False}.get(text or "")


WHOLE_COUNTRY = "country"


class ThreatSourceForm(forms.Form):
    """Publish a dataset as the threat source of a scope (field ids ``id_source-…``)."""

    prefix = "source"

    region = forms.ChoiceField(label=_("For site assessments in"))
    data_country = forms.CharField(
        label=_("Country in the data (ISO 3166 alpha-3, e.g. FRA)"), max_length=3, min_length=3
    )
    horizon_years = forms.IntegerField(label=_("Horizon (years)"), min_value=1, max_value=30,
                                       initial=1)  # fmt: skip
    first_year = forms.IntegerField(label=_("From year (empty: the last collection break)"),
                                    required=False, min_value=1900, max_value=2100)  # fmt: skip
    last_year = forms.IntegerField(label=_("To year (empty: the last year)"), required=False,
                                   min_value=1900, max_value=2100)  # fmt: skip

    def __init__(self, *args: Any, regions: list[tuple[str, str]],
                 site_types: list[tuple[str, str]], **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = regions  # type: ignore[attr-defined]
        self.site_type_fields = []
        for value, label in site_types:
            name = f"count_{value}"
            self.fields[name] = forms.IntegerField(
                label=_("Number of sites: %(t)s") % {"t": label}, required=False, min_value=1,
                help_text=_("How many such sites the data country has; each one's share of "
                            "the attacks is 1 in this number. Empty: not covered."),
            )  # fmt: skip
            self.site_type_fields.append((value, name))

    def site_counts(self) -> dict[str, object]:
        """The given counts by site type (empty ones left out)."""
        data = self.cleaned_data
        return {value: data[name] for value, name in self.site_type_fields
                if data.get(name) is not None}  # fmt: skip

    def years(self, default: tuple[int, int]) -> tuple[int, int] | None:
        """The window given (an empty end taken from ``default``), or None (the default)."""
        first, last = self.cleaned_data.get("first_year"), self.cleaned_data.get("last_year")
        if first is None and last is None:
            return None
        return (default[0] if first is None else first, default[1] if last is None else last)
