"""Site-engineering studies: one engine run on one site's geometry, with its inputs and result.

Visibility is decided by :mod:`placeguard.web.engineering.access` only: a study is visible
exactly when its site is. Studies are immutable once run; a new input is a new study.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from placeguard.web.engineering.choices import StudyKind, StudyStatus
from placeguard.web.sites.models import Site


class EngineeringStudy(models.Model):
    """An evacuation or vehicle-dynamics study of a site.

    ``geojson`` is the input exactly as the CLI reads it (the walkable layout in local metres
    for evacuation; the perimeter and surroundings in WGS84 for vehicle); ``parameters`` the
    normalised run options; ``result`` what the engine answered, assumptions included.

    The study is also its run record: it is stored ``queued`` once its input is valid; a
    background task moves it to ``running`` (``progress`` 0–100 with ``progress_message``) and
    then to ``complete`` or ``failed`` (``result["error"]`` says why, in words).
    """

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="engineering_studies",
        verbose_name=_("site"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=StudyKind.choices)
    name = models.CharField(_("name"), max_length=200)
    geojson = models.JSONField(_("input GeoJSON"))
    parameters = models.JSONField(_("parameters"), default=dict)
    result = models.JSONField(_("result"), default=dict)
    status = models.CharField(
        _("status"), max_length=16, choices=StudyStatus.choices, default=StudyStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    progress_message = models.CharField(_("progress message"), max_length=300, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="engineering_studies",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        verbose_name = _("engineering study")
        verbose_name_plural = _("engineering studies")
        indexes: ClassVar = [
            models.Index(fields=["site", "kind", "-created_at"], name="eng_study_site_kind"),
        ]

    def __str__(self) -> str:
        return self.name
