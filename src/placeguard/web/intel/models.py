"""Incident datasets: one uploaded file imported into its own partitioned-Parquet store.

Visibility is decided by :mod:`placeguard.web.intel.access` only: a dataset is visible to the
members of the organisation that imported it (the licences of GTD, ACLED and RDWTI forbid
redistribution, so raw rows never leave the importing organisation). Only aggregates are ever
shown or exported.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from placeguard.web.intel.choices import DatasetSource, DatasetStatus
from placeguard.web.orgs.models import Organisation


class Dataset(models.Model):
    """An imported incident file and the state of its background import.

    ``facets`` holds the filter values found at import (categories, attack modes, regions,
    first/last year, whether an urban flag exists); ``problems`` the validation problems of a
    failed import (file, row, column, problem), capped.
    """

    owner = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="intel_datasets",
        verbose_name=_("owner organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(_("source layout"), max_length=8, choices=DatasetSource.choices)
    licence = models.CharField(_("licence tag"), max_length=100, blank=True)
    file_name = models.CharField(_("uploaded file"), max_length=255)
    mapping_text = models.TextField(_("column mapping"), blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    status = models.CharField(
        _("status"), max_length=8, choices=DatasetStatus.choices, default=DatasetStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    progress_message = models.CharField(_("progress message"), max_length=300, blank=True)
    problems = models.JSONField(_("import problems"), default=list, blank=True)
    facets = models.JSONField(_("facets"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="intel_datasets",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        verbose_name = _("incident dataset")
        verbose_name_plural = _("incident datasets")
        indexes: ClassVar = [
            models.Index(fields=["owner", "-created_at"], name="intel_dataset_owner"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def folder(self) -> Path:
        """This dataset's folder under the data directory (upload while importing, store)."""
        return Path(settings.DATA_DIR) / "intel" / f"dataset-{self.pk}"

    @property
    def store_path(self) -> Path:
        """The partitioned-Parquet incident store of this dataset."""
        return self.folder / "store"


class ThreatSource(models.Model):
    """An imported dataset published as the threat source for site assessments in a scope.

    The scope is a region of the platform, or a whole country (``region`` empty). The site
    risk of every assessment in the scope then takes, per attack scenario, the dataset's
    empirical-Bayes attack rate for the site's type in ``data_country`` (the dataset's ISO3
    country standing for the scope) times the site's exposure share ``1 / site_counts[type]``.

    Only aggregates are kept: ``cells`` caches the computed rates of ``data_country`` per
    (target category, attack mode) — computed once when the source is published, never per
    assessment — and ``provenance`` says where they come from. At most one source is active per
    scope (a region, or a country as a whole).
    """

    dataset = models.ForeignKey(
        Dataset,
        on_delete=models.CASCADE,  # deletion is refused while a source is active (services)
        related_name="threat_sources",
        verbose_name=_("dataset"),
    )
    country_code = models.CharField(_("country code"), max_length=8, db_index=True)
    region = models.ForeignKey(
        "orgs.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="intel_threat_sources",
        verbose_name=_("region (empty: the whole country)"),
    )
    data_country = models.CharField(_("country in the data (ISO3)"), max_length=3)
    horizon_years = models.PositiveSmallIntegerField(_("horizon (years)"), default=1)
    site_counts = models.JSONField(_("sites per type in the data country"), default=dict)
    cells = models.JSONField(_("attack rates (aggregates)"), default=list)
    provenance = models.JSONField(_("provenance"), default=dict)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="intel_threat_sources",
        verbose_name=_("published by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        verbose_name = _("threat source")
        verbose_name_plural = _("threat sources")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["region"],
                condition=models.Q(active=True, region__isnull=False),
                name="intel_one_active_source_per_region",
            ),
            models.UniqueConstraint(
                fields=["country_code"],
                condition=models.Q(active=True, region__isnull=True),
                name="intel_one_active_source_per_country",
            ),
        ]

    def __str__(self) -> str:
        scope = self.region.name if self.region_id and self.region else self.country_code
        return f"{self.dataset} → {scope}"
