"""Every rule of the sharing policy, by id, in plain language (for docs and "why?" explainers).

Ids follow research/info-sharing.md §8: I = write-time invariant, R = read predicate,
W = write predicate. A :class:`~placeguard.core.sharing.model.Decision` or
:class:`~placeguard.core.sharing.model.Problem` always names one of these ids.
"""

from __future__ import annotations

__all__ = ["RULES", "describe"]

RULES: dict[str, str] = {
    "I1": "The audience must suit the TLP: CLEAR any; GREEN anything but public; AMBER and "
    "AMBER+STRICT organisations, groups, own organisation or named people; RED named people only "
    "(and at least one).",
    "I2": "A law-enforcement-only item must come from, and go only to, law-enforcement "
    "organisations.",
    "I3": "A child is never less restrictive than its parent: TLP at least the parent's, caveats a "
    "superset of the parent's.",
    "I4": "A derived product is at least as restricted as its most restricted source, unless that "
    "source's originator approved its release.",
    "I5": "Only a publisher or organisation admin of the originating organisation may relax TLP or "
    "widen the audience; editors of that organisation may tighten or narrow (delivered copies are "
    "not recalled).",
    "I6": "Referenced organisations, groups, users and communities must exist and be active; the "
    "originating organisation must belong to every group it addresses.",
    "I7": "Identity, kind, author, originating organisation and parent never change; children "
    "hang under a top-level item of a kind that accepts them.",
    "I8": "An item is created by its author for the author's own organisation, unless the account "
    "is a sync account bound to the originating organisation.",
    "R0": "Only an active user of an active, vetted organisation reads anything (two-factor "
    "authentication needed above CLEAR); anonymous readers get public CLEAR items only.",
    "R1": "A draft is seen by its author, co-editors, and analysts, publishers and organisation "
    "admins of its organisation.",
    "R2": "A purged item is seen by nobody; a withdrawn item shows only a stub outside its "
    "organisation.",
    "R3": "The originating organisation, and the author, see the item (subject to R1, R4, R6, R8 "
    "and R11).",
    "R4": "A RED item is seen only by its named recipients and its author: not colleagues, not "
    "their organisation admin, not a platform admin.",
    "R5": "Otherwise the reader must be in the audience, evaluated now: public (CLEAR only), "
    "community (GREEN or CLEAR), a group or organisation it names, or a named person.",
    "R6": "A law-enforcement-only item is seen only by vetted officers of law-enforcement "
    "organisations (and its author), whatever groups say.",
    "R7": "A child (comment, acknowledgement, attachment, timeline entry, reporter identity) is "
    "seen only by those who see its parent's content.",
    "R8": "Need-to-know: a GREEN or AMBER item with a need-to-know list reaches only the listed "
    "roles and teams of recipient organisations; AMBER from police or an authority to private "
    "organisations defaults to analysts, publishers, organisation admins and security leads.",
    "R9": "AMBER also reaches the registered security providers of recipient organisations; "
    "recipients forward AMBER only to their clients, GREEN only inside the community, AMBER+STRICT "
    "and RED never.",
    "R10": "Platform admins and auditors are not content readers: the flag grants nothing. "
    "Only break-glass opens one item to a platform admin: requested with a reason, approved by a "
    "second platform admin, time-boxed, every read logged, the originator told and shown a "
    "banner; never a draft, RED, law-enforcement-only item or protected source.",
    "R11": "A suspicious-activity report goes to its reporting organisation (author, analysts, "
    "admins) and the site's responsible police, and can never be widened; the reporter's identity "
    "is seen only by the author and that police force.",
    "R12": "A query matching an item it cannot see learns nothing beyond the item's hit "
    "disclosure (police see the owner's contact if open; 'a record exists' if owner-only; nothing "
    "otherwise), and the owner is told.",
    "W1": "Editing: the author, or an analyst, publisher or organisation admin of the originating "
    "organisation, who can see the item.",
    "W2": "Publishing and withdrawing: a publisher or organisation admin of the originating "
    "organisation (a suspicious-activity report is submitted by its author); a broadcast to the "
    "community or the public needs a second approver.",
    "W3": "Recipients who see an item may add children: reporters and above comment, any reader "
    "acknowledges a bulletin; the child goes by default to the parent's organisation and the "
    "commenter's.",
    "W4": "Sharing groups: publishers and organisation admins create them; the owner or an "
    "extender edits membership; only the owner deletes; only members see the member list (only "
    "owner and extenders when hidden).",
    "W5": "Organisation admins manage users of their own organisation only, cannot grant "
    "platform admin, cannot move users between organisations and cannot touch platform admins.",
    "W6": "An API token exercises the intersection of its user's roles and its scopes; expired, "
    "disallowed or read-only tokens write nothing; minting tokens needs an admin role.",
}


def describe() -> str:
    """A Markdown table of every rule id and its plain-language statement."""
    lines = ["| id | rule |", "|---|---|"]
    lines.extend(f"| {rule_id} | {text} |" for rule_id, text in RULES.items())
    return "\n".join(lines)
