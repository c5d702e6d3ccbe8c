"""The error hierarchy and the shared vocabulary."""

from __future__ import annotations

from placeguard.core import errors
from placeguard.core.vocab import TLP, OrgKind, Role, Scenario, SiteType


def test_every_error_has_a_stable_code_and_base() -> None:
    for cls in [errors.ValidationError, errors.NotFoundError, errors.PermissionDeniedError,
                errors.ConflictError, errors.IntegrityError, errors.ImportValidationError]:  # fmt: skip
        assert issubclass(cls, errors.PlaceguardError)
        assert cls.code and cls.code != "error"


def test_validation_error_is_a_value_error_with_fields() -> None:
    exc = errors.ValidationError.from_mapping({"name": "required"})
    assert isinstance(exc, ValueError)
    assert exc.errors == (errors.FieldError("name", "required"),)


def test_import_error_counts_rows_not_problems() -> None:
    exc = errors.ImportValidationError(
        [errors.RowError(2, "a", "x"), errors.RowError(2, "b", "y"), errors.RowError(5, "a", "z")]
    )
    assert exc.message.startswith("2 row(s)")
    assert len(exc.rows) == 3


def test_vocabulary_matches_design() -> None:
    assert len(SiteType) == 9
    assert len([s for s in Scenario if not s.is_precursor]) == 12
    assert [t.value for t in TLP] == ["clear", "green", "amber", "amber+strict", "red"]
    assert TLP.RED.rank > TLP.AMBER_STRICT.rank > TLP.AMBER.rank
    assert {k.value for k in OrgKind} >= {"LAW_ENFORCEMENT", "AUTHORITY", "OPERATOR", "PROGRAMME"}
    assert len(Role) == 7
    assert all(t.label for t in SiteType)


def test_web_choices_are_the_core_vocabulary() -> None:
    from placeguard.web.orgs.choices import OrgKind as WebKind
    from placeguard.web.orgs.choices import Role as WebRole
    from placeguard.web.sites.choices import SiteType as WebType

    assert set(WebType.values) == {t.value for t in SiteType}
    assert set(WebKind.values) == {k.value for k in OrgKind}
    assert set(WebRole.values) == {r.value for r in Role}
