"""The interchange page: export links (the API downloads) and a STIX upload."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from placeguard.core.errors import PermissionDeniedError, ValidationError
from placeguard.core.interchange.stix import MAX_BYTES
from placeguard.web.incidents.models import Incident
from placeguard.web.interchange import services
from placeguard.web.interchange.forms import ExportForm, ImportForm
from placeguard.web.orgs.models import User
from placeguard.web.sharing.models import Bulletin


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    """Export form (downloads through the API) and import upload (drafts, or every problem)."""
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    upload = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"export_form": ExportForm(), "import_form": upload}
    status = 200
    if request.method == "POST" and upload.is_valid():
        handle = upload.cleaned_data["file"]
        try:
            result = services.import_bundle(handle.read(MAX_BYTES + 1), actor=user)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except ValidationError as exc:
            context["problems"] = exc.errors
            status = 422
        else:
            context["created"] = Bulletin.objects.filter(pk__in=result.created).order_by("pk")
            context["created_incidents"] = Incident.objects.filter(
                pk__in=result.created_incidents
            ).order_by("pk")
            context["notes"] = result.notes
            context["imported"] = True
    return render(request, "interchange/index.html", context, status=status)
