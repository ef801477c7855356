"""What the contract hooks answer: the kinds of contract and the notices of the case form."""

from dataclasses import dataclass, field

from helpdesk.policy import Label


@dataclass(frozen=True)
class ContractKind:
    """A kind of contract (maintenance, support units, hosting, data processing, or one a
    plugin names); ``key`` is stored on the contract."""

    key: str
    label: Label


@dataclass(frozen=True)
class CaseNotice:
    """What the new-case form says before the customer writes; ``blocks`` refuses the case."""

    message: Label
    blocks: bool = False


@dataclass(frozen=True)
class Standing:
    """An organisation's contracts today and the state of its data-processing agreement, as
    the hook ``helpdesk_new_case_notices`` reads them."""

    organisation: object
    agreement: str  # none, issued, signed, countersigned
    active: list = field(default_factory=list)
    expired: list = field(default_factory=list)


@dataclass(frozen=True)
class DocumentPage:
    """A page of the organisation's contracts and documents area (DOC-5): ``title`` and
    ``content`` (Markdown, German and English), ``files`` as ``(name, url)`` pairs, shown to
    the people ``visible_to(user, organisation)`` lets see it (None: everyone who sees the
    area)."""

    key: str
    title: Label
    content: Label
    files: tuple = ()
    visible_to: object = None
