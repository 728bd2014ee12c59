"""The one sanctioned way to read people and records: need-to-know lives here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Prefetch, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from violeta.agencies.models import User
from violeta.agencies.roles import Capability
from violeta.audit.services import audit_log
from violeta.people import identity as ident
from violeta.people.models import Person, PersonKind
from violeta.people.services import person_in_use
from violeta.records.choices import PartyRole, RiskLevel
from violeta.records.models import AgencyRecord, ReportedIdentity


class Detail(StrEnum):
    FULL = "full"  # everything, narrative included: the user's own agency
    SUMMARY = "summary"  # + types, modalities, alcaldía: roles granted it
    MINIMAL = "minimal"  # kind, date, agency, risk level only


def _require(user: User, capability: Capability) -> None:
    if not user.can(capability):
        raise PermissionDenied


def detail_for(user: User, record: AgencyRecord) -> Detail:
    if user.agency_id is not None and record.agency_id == user.agency_id:
        return Detail.FULL
    if user.can(Capability.VIEW_OTHER_AGENCY_SUMMARY):
        return Detail.SUMMARY
    return Detail.MINIMAL


@dataclass
class RecordView:
    record: AgencyRecord
    detail: Detail
    aggressor: ReportedIdentity | None


@dataclass
class IdentityVariant:
    """One way she was registered (as typed), and by which agencies."""

    full_name: str
    birth_date: dt.date | None
    curp: str
    agencies: list[str]


@dataclass
class LinkedAggressor:
    person_id: int
    full_name: str
    other_women: int  # other women whose records name the same aggressor


@dataclass
class PersonFile:
    person: Person
    records: list[RecordView]
    risk_level: str
    identities: list[IdentityVariant]
    aggressors: list[LinkedAggressor]

    @property
    def risk_label(self) -> str:
        return str(RiskLevel(self.risk_level).label) if self.risk_level else ""


def current_risk_level(records: Sequence[AgencyRecord]) -> str:
    """The level of the newest record that states one (the risk module refines this)."""
    for record in sorted(records, key=lambda r: r.occurred_at, reverse=True):
        if record.risk_level:
            return record.risk_level
    return ""


def with_parties(
    records: QuerySet[AgencyRecord], parties: QuerySet[ReportedIdentity] | None = None
) -> QuerySet[AgencyRecord]:
    """``records`` with what every listing of them reads: agency, kind, alcaldía, types and
    modalities, and their parties as ``record.victims`` and ``record.aggressors`` (from
    ``parties``, by default every column)."""
    parties = ReportedIdentity.objects.all() if parties is None else parties
    return records.select_related("agency", "kind", "alcaldia").prefetch_related(
        "violence_types",
        "modalities",
        Prefetch("parties", parties.filter(role=PartyRole.VICTIM), to_attr="victims"),
        Prefetch("parties", parties.filter(role=PartyRole.AGGRESSOR), to_attr="aggressors"),
    )


def person_file_for(*, user: User, person_id: int, request: HttpRequest | None) -> PersonFile:
    """A woman's file as ``user`` may see it, newest record first; the reading is audited."""
    _require(user, Capability.VIEW_PERSON_FILE)
    person = get_object_or_404(
        Person.objects.select_related("alcaldia"), pk=person_id, kind=PersonKind.WOMAN
    )
    person = person_in_use(person)  # a merged file is read as the file it was merged into
    records = list(
        with_parties(
            AgencyRecord.objects.filter(parties__person=person, parties__role=PartyRole.VICTIM)
        ).order_by("-occurred_at", "-pk")
    )
    views = []
    for record in records:
        detail = detail_for(user, record)
        aggressors = record.aggressors  # type: ignore[attr-defined]
        views.append(
            RecordView(
                record, detail, aggressors[0] if aggressors and detail == Detail.FULL else None
            )
        )
    audit_log(
        actor=user,
        action="view",
        subject_type="person",
        subject_id=str(person.pk),
        request=request,
        details={
            "records": len(records),
            "full": sum(1 for v in views if v.detail == Detail.FULL),
        },
    )
    return PersonFile(
        person=person,
        records=views,
        risk_level=current_risk_level(records),
        identities=_identity_variants(records),
        aggressors=_linked_aggressors(user, person, views),
    )


def _identity_variants(records: Sequence[AgencyRecord]) -> list[IdentityVariant]:
    variants: dict[tuple[str, str, str], IdentityVariant] = {}
    for record in records:
        for party in record.victims:  # type: ignore[attr-defined]
            key = (party.full_name, str(party.birth_date or ""), party.curp)
            variant = variants.setdefault(
                key, IdentityVariant(party.full_name, party.birth_date, party.curp, [])
            )
            if record.agency.code not in variant.agencies:
                variant.agencies.append(record.agency.code)
    return list(variants.values())


def _linked_aggressors(
    user: User, person: Person, views: Sequence[RecordView]
) -> list[LinkedAggressor]:
    """Aggressors named in records the user sees in full (supervisors: in every record)."""
    allowed = user.can(Capability.VIEW_OTHER_AGENCY_SUMMARY)
    named: dict[int, str] = {}
    for view in views:
        for party in view.record.aggressors:  # type: ignore[attr-defined]
            if view.detail == Detail.FULL or allowed:
                named.setdefault(party.person_id, party.full_name)
    if not named:
        return []
    victims_of = (
        ReportedIdentity.objects.filter(role=PartyRole.VICTIM)
        .filter(record__parties__person__in=named, record__parties__role=PartyRole.AGGRESSOR)
        .exclude(person=person)
        .values("record__parties__person")
        .annotate(n=Count("person", distinct=True))
    )
    others = {row["record__parties__person"]: row["n"] for row in victims_of}
    return [LinkedAggressor(pk, name, others.get(pk, 0)) for pk, name in named.items()]


@dataclass
class SearchCriteria:
    curp: str = ""
    phone: str = ""
    given_names: str = ""
    first_surname: str = ""
    second_surname: str = ""
    birth_date: dt.date | None = None

    def used(self) -> list[str]:
        return [k for k, v in self.__dict__.items() if v]


@dataclass
class PersonHit:
    person: Person
    records: int
    last_seen: dt.datetime | None


SEARCH_LIMIT = 50


def _name_matches(person: Person, criteria: SearchCriteria) -> bool:
    if criteria.given_names:
        wanted = set(ident.search_key(criteria.given_names).split())
        if not wanted & set(ident.search_key(person.given_names).split()):
            return False
    if criteria.second_surname:
        return ident.search_key(person.second_surname) == ident.search_key(criteria.second_surname)
    return True


def people_search(
    *, user: User, criteria: SearchCriteria, request: HttpRequest | None
) -> list[PersonHit]:
    """Women matching the criteria (exact CURP/phone, or surname with name and birth date).

    The values searched for are never written to the audit trail, only which fields were used.
    """
    _require(user, Capability.SEARCH_PEOPLE)
    qs: QuerySet[Person] = Person.objects.filter(kind=PersonKind.WOMAN, merged_into=None)
    if criteria.curp:
        qs = qs.filter(curp_bidx=ident.curp_index(criteria.curp))
    if criteria.phone:
        qs = qs.filter(phone_bidx=ident.phone_index(criteria.phone))
    if criteria.first_surname:
        qs = qs.filter(first_surname_bidx=ident.name_index(criteria.first_surname))
    if criteria.birth_date:
        qs = qs.filter(birth_date_bidx=ident.birth_date_index(criteria.birth_date))
    if not (criteria.curp or criteria.phone or criteria.first_surname or criteria.birth_date):
        qs = qs.none()
    candidates = qs.select_related("alcaldia").order_by("-updated_at")[: SEARCH_LIMIT * 20]
    people = [p for p in candidates if _name_matches(p, criteria)][:SEARCH_LIMIT]
    stats = {
        row["parties__person"]: row
        for row in AgencyRecord.objects.filter(
            parties__person__in=people, parties__role=PartyRole.VICTIM
        )
        .values("parties__person")
        .annotate(n=Count("pk"), last=Max("occurred_at"))
    }
    hits = [
        PersonHit(p, stats.get(p.pk, {}).get("n", 0), stats.get(p.pk, {}).get("last"))
        for p in people
    ]
    audit_log(
        actor=user,
        action="search",
        subject_type="person",
        subject_id="",
        request=request,
        details={"fields": criteria.used(), "results": [h.person.pk for h in hits]},
    )
    return hits


def records_visible_to(user: User) -> QuerySet[AgencyRecord]:
    """The records ``user`` sees in full: her own agency's."""
    if user.agency_id is None or not user.can(Capability.VIEW_PERSON_FILE):
        return AgencyRecord.objects.none()
    return AgencyRecord.objects.filter(agency_id=user.agency_id)
