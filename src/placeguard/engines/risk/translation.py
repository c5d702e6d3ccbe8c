"""The translatable texts of a risk pack, and the pack in another language.

Every text a person reads — scenario names and descriptions, question texts, help and option
labels, measure names and descriptions, overlay names and requirement texts — is a gettext
message whose id is the pack's own (English) text. Ids, numbers and structure never change
with the language, so stored answers, plans and scores are the same in every language.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace

from placeguard.core.po import Message
from placeguard.engines.risk.catalogue import RiskPack

__all__ = ["pack_messages", "translate_pack"]


def pack_messages(pack: RiskPack) -> Iterator[Message]:
    """Every text of the pack, with where it comes from (``file:id.field``)."""
    for s in pack.scenarios:
        yield Message(s.name, (f"scenarios.yaml:{s.id}.name",))
        yield Message(s.description, (f"scenarios.yaml:{s.id}.description",))
    for q in pack.questions:
        yield Message(q.text, (f"questions.yaml:{q.id}.text",))
        if q.help:
            yield Message(q.help, (f"questions.yaml:{q.id}.help",))
        for i, option in enumerate(q.options):
            yield Message(option.label, (f"questions.yaml:{q.id}.options[{i}]",))
    for m in pack.measures:
        yield Message(m.name, (f"measures.yaml:{m.id}.name",))
        yield Message(m.description, (f"measures.yaml:{m.id}.description",))
    for o in pack.overlays:
        yield Message(o.name, (f"compliance.yaml:{o.id}.name",))
        for r in o.requirements:
            yield Message(r.text, (f"compliance.yaml:{o.id}.{r.id}",))


def translate_pack(pack: RiskPack, catalogue: Mapping[str, str]) -> RiskPack:
    """The pack with every text looked up in ``catalogue`` (untranslated texts stay as they are)."""

    def t(text: str) -> str:
        return catalogue.get(text, text) if text else text

    return replace(
        pack,
        scenarios=tuple(
            replace(s, name=t(s.name), description=t(s.description)) for s in pack.scenarios
        ),
        questions=tuple(
            replace(
                q,
                text=t(q.text),
                help=t(q.help),
                options=tuple(replace(o, label=t(o.label)) for o in q.options),
            )
            for q in pack.questions
        ),
        measures=tuple(
            replace(m, name=t(m.name), description=t(m.description)) for m in pack.measures
        ),
        overlays=tuple(
            replace(
                o,
                name=t(o.name),
                requirements=tuple(replace(r, text=t(r.text)) for r in o.requirements),
            )
            for o in pack.overlays
        ),
    )
