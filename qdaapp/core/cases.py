"""Cases (interviewees, sites) and their typed attributes.

An attribute has one type for the whole project (text, number or date);
values are checked against it and stored as text in a canonical form
(numbers without trailing zeros, dates as YYYY-MM-DD) so they sort and
compare the same everywhere.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import sources as source_ops
from .commands import Change, command
from .errors import Conflict, InvalidInput, NotFound
from .models import ATTRIBUTE_TYPES, Attribute, AttributeValue, Case, Source


def canonical_value(value: str, type_: str, name: str) -> str:
    value = str(value).strip()
    if type_ == "number":
        try:
            number = float(value.replace(",", "")) if value else None
        except ValueError:
            number = None
        if number is None:
            raise InvalidInput(f"'{value}' is not a number, but the attribute '{name}' holds numbers.")
        return str(int(number)) if number.is_integer() else repr(number)
    if type_ == "date":
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise InvalidInput(
                f"'{value}' is not a date, but the attribute '{name}' holds dates; write it as YYYY-MM-DD."
            ) from None
    return value


def guess_type(value: str) -> str:
    value = str(value).strip()
    try:
        date.fromisoformat(value)
        if len(value) == 10:
            return "date"
    except ValueError:
        pass
    try:
        float(value)
        return "number"
    except ValueError:
        return "text"


def resolve_case(session: Session, ref: str | int) -> Case:
    text = str(ref).strip()
    case = session.get(Case, int(text)) if text.isdigit() else None
    case = case or session.scalar(select(Case).where(Case.name == text))
    if case is None:
        raise NotFound(f"There is no case '{text}'. List cases with 'qdaapp cases'.")
    return case


@command("case.create")
def create_case(session: Session, name: str, description: str = "") -> Change:
    name = name.strip()
    if not name:
        raise InvalidInput("A case needs a name.")
    if session.scalar(select(Case.id).where(Case.name == name)) is not None:
        raise Conflict(f"A case called '{name}' already exists.")
    case = Case(name=name, description=description)
    session.add(case)
    session.flush()
    return Change("case.create", "case", case.id, f"create case '{name}'",
                  after={"id": case.id, "name": name, "description": description}, result=case.id)


@command("case.assign")
def assign_source(session: Session, case_ref: str | int, source_ref: str | int) -> Change:
    case = resolve_case(session, case_ref)
    source = source_ops.resolve(session, source_ref)
    if source.case_id == case.id:
        raise InvalidInput(f"{source.name} already belongs to case '{case.name}'.")
    before = {"source_id": source.id, "case_id": source.case_id}
    source.case_id = case.id
    return Change("case.assign", "source", source.id, f"assign {source.name} to case '{case.name}'",
                  before=before, after={"source_id": source.id, "case_id": case.id})


@command("attribute.set")
def set_attribute(
    session: Session,
    owner: str,
    owner_ref: str | int,
    name: str,
    value: str,
    type_: str | None = None,
) -> Change:
    """Set attribute ``name`` of a case or source (``owner`` = 'case' | 'source').

    The attribute is created on first use with ``type_`` (or a type guessed
    from the value); afterwards values must fit its type.
    """
    name = name.strip()
    if not name:
        raise InvalidInput("An attribute needs a name.")
    target: Case | Source
    if owner == "case":
        target = resolve_case(session, owner_ref)
    elif owner == "source":
        target = source_ops.resolve(session, owner_ref)
    else:
        raise InvalidInput(f"Attributes belong to cases or sources, not to '{owner}'.")
    attr = session.scalar(select(Attribute).where(Attribute.name == name))
    events = []
    if attr is None:
        type_ = type_ or guess_type(value)
        if type_ not in ATTRIBUTE_TYPES:
            raise InvalidInput(f"'{type_}' is not an attribute type; use text, number or date.")
        attr = Attribute(name=name, type=type_)
        session.add(attr)
        session.flush()
        events.append(Change("attribute.create", "attribute", attr.id, f"create attribute '{name}' ({type_})",
                             after={"id": attr.id, "name": name, "type": type_}))
    elif type_ is not None and type_ != attr.type:
        raise Conflict(f"The attribute '{name}' holds {attr.type} values, not {type_}.")
    canonical = canonical_value(value, attr.type, name)
    column = AttributeValue.case_id if owner == "case" else AttributeValue.source_id
    row = session.scalar(select(AttributeValue).where(AttributeValue.attribute_id == attr.id, column == target.id))
    before = None
    if row is None:
        row = AttributeValue(attribute_id=attr.id, value=canonical,
                             **({"case_id": target.id} if owner == "case" else {"source_id": target.id}))
        session.add(row)
    else:
        before = {"value": row.value}
        row.value = canonical
    session.flush()
    change = Change("attribute.set", owner, target.id, f"set {name} = {canonical} for {owner} '{target.name}'",
                    before=before, after={"attribute_id": attr.id, "value": canonical, "value_id": row.id})
    change.extra_events = events
    return change


@dataclass(frozen=True)
class CaseInfo:
    id: int
    name: str
    description: str
    sources: list[str] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def list_cases(session: Session) -> list[CaseInfo]:
    sources: dict[int | None, list[str]] = {}  # the query leaves out sources without a case
    for case_id, name in session.execute(select(Source.case_id, Source.name)
                                         .where(Source.case_id.is_not(None)).order_by(Source.name)):
        sources.setdefault(case_id, []).append(name)
    attrs: dict[int | None, dict[str, str]] = {}  # the query leaves out values of sources
    for case_id, name, value in session.execute(
        select(AttributeValue.case_id, Attribute.name, AttributeValue.value)
        .join(Attribute, Attribute.id == AttributeValue.attribute_id)
        .where(AttributeValue.case_id.is_not(None))
    ):
        attrs.setdefault(case_id, {})[name] = value
    return [
        CaseInfo(c.id, c.name, c.description, sources.get(c.id, []), attrs.get(c.id, {}))
        for c in session.scalars(select(Case).order_by(Case.name))
    ]


def attributes_of(session: Session, owner: str, owner_id: int) -> dict[str, tuple[str, str]]:
    """name -> (type, value) for one case or source."""
    column = AttributeValue.case_id if owner == "case" else AttributeValue.source_id
    rows = session.execute(
        select(Attribute.name, Attribute.type, AttributeValue.value)
        .join(Attribute, Attribute.id == AttributeValue.attribute_id)
        .where(column == owner_id)
        .order_by(Attribute.name)
    )
    return {name: (type_, value) for name, type_, value in rows}


@command("case.update")
def update_case(session: Session, ref: str | int, name: str | None = None,
                description: str | None = None) -> Change:
    case = resolve_case(session, ref)
    changes: dict = {}
    if name is not None and name.strip() and name.strip() != case.name:
        if session.scalar(select(Case.id).where(Case.name == name.strip())) is not None:
            raise Conflict(f"A case called '{name.strip()}' already exists.")
        changes["name"] = name.strip()
    if description is not None and description != case.description:
        changes["description"] = description
    if not changes:
        raise InvalidInput(f"Nothing to change for case '{case.name}'.")
    before = {k: getattr(case, k) for k in changes}
    for key, value in changes.items():
        setattr(case, key, value)
    summary = (f"rename case '{before['name']}' to '{changes['name']}'" if "name" in changes
               else f"describe case '{case.name}'")
    return Change("case.update", "case", case.id, summary, before=before, after=changes)


@command("attribute.remove")
def remove_attribute(session: Session, owner: str, owner_ref: str | int, name: str) -> Change:
    """Remove one attribute value from a case or source (the attribute itself stays)."""
    target = resolve_case(session, owner_ref) if owner == "case" else source_ops.resolve(session, owner_ref)
    column = AttributeValue.case_id if owner == "case" else AttributeValue.source_id
    row = session.scalar(
        select(AttributeValue).join(Attribute, Attribute.id == AttributeValue.attribute_id)
        .where(Attribute.name == name, column == target.id)
    )
    if row is None:
        raise NotFound(f"{owner.title()} '{target.name}' has no value for '{name}'.")
    before = {"attribute": name, "value": row.value}
    session.delete(row)
    return Change("attribute.remove", owner, target.id, f"remove {name} from {owner} '{target.name}'", before=before)


def list_attributes(session: Session) -> list[tuple[str, str]]:
    """(name, type) of every attribute in the project, by name."""
    return [(n, t) for n, t in session.execute(select(Attribute.name, Attribute.type).order_by(Attribute.name))]
