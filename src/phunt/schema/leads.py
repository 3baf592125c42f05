"""Models of leads: tipline reports, the targets they resolve to and the raids planned on them.

A lead is one report (a CyberTipline report passed on through NCRB, an Interpol referral, a
platform's report, the unit's own monitoring) as a source sent it: the same report id from
the same source is one lead however often its spreadsheet is imported, and two sources'
reports stay two leads, linked by what they share (account, phone, e-mail, file). The
reported files are rows of their own so corroboration can match each by any hash. A raid
plan becomes the existing raid, case, suspect and device rows once its outcome is recorded,
so the dashboard and the operation report count it like any other raid.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from phunt.schema.base import Base
from phunt.schema.cases import Case, District, Operation, Raid
from phunt.schema.types import utcnow

#: Why two leads are linked: what they name in common.
LINK_REASONS = ("account", "phone", "email", "file")


class LeadSource(Base):
    """Who sends reports, and how their spreadsheets' columns map to a lead's fields."""

    __tablename__ = "lead_source"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    mapping: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """``{"columns": {field: header}, "zone": default zone, "time_format": strptime or ""}``."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LeadImport(Base):
    """One spreadsheet imported: the evidence of where each lead came from."""

    __tablename__ = "lead_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("lead_source.id"), index=True)
    file_name: Mapped[str] = mapped_column(Text)
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_size: Mapped[int] = mapped_column(Integer)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    new_leads: Mapped[int] = mapped_column(Integer, default=0)
    known_leads: Mapped[int] = mapped_column(Integer, default=0)
    imported_by: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class Lead(Base):
    __tablename__ = "lead"
    __table_args__ = (UniqueConstraint("source_id", "report_id", name="uq_lead_source_report"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("lead_source.id"), index=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("lead_import.id"), index=True)
    report_id: Mapped[str] = mapped_column(String(200))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"), index=True)
    """The case the lead belongs to: its assignees see it (supervisors see every lead)."""
    incident_at: Mapped[datetime]
    incident_zone: Mapped[str] = mapped_column(String(64))
    """The zone the report gave its time in (an IANA name or a UTC offset)."""
    platform: Mapped[str] = mapped_column(String(100), default="")
    account: Mapped[str] = mapped_column(String(200), default="")
    account_key: Mapped[str] = mapped_column(String(200), default="", index=True)
    """The account as compared: lower case, without a leading ``@``."""
    phone: Mapped[str] = mapped_column(String(20), default="", index=True)
    """E.164 (:mod:`phunt.phones`), as chats store numbers; ``phone_raw`` as reported."""
    phone_raw: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(320), default="", index=True)
    ip: Mapped[str] = mapped_column(String(64), default="")
    port: Mapped[int | None] = mapped_column(Integer)
    isp: Mapped[str] = mapped_column(String(200), default="")
    location: Mapped[str] = mapped_column(Text, default="")
    sheet_row: Mapped[int] = mapped_column(Integer)
    """The first spreadsheet row of the report in the import that created the lead."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    source: Mapped[LeadSource] = relationship()
    files: Mapped[list[LeadFile]] = relationship(order_by="LeadFile.id", viewonly=True)


class LeadFile(Base):
    """A reported file: any of its hashes may be missing, never all."""

    __tablename__ = "lead_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id"), index=True)
    name: Mapped[str] = mapped_column(Text, default="")
    md5: Mapped[str | None] = mapped_column(String(32), index=True)
    sha1: Mapped[str | None] = mapped_column(String(40), index=True)
    pdq: Mapped[str | None] = mapped_column(String(64))


class LeadLink(Base):
    """Two leads naming the same account, phone, e-mail or file (``lead_a < lead_b``)."""

    __tablename__ = "lead_link"
    __table_args__ = (UniqueConstraint("lead_a", "lead_b", "reason", "value", name="uq_lead_link"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_a: Mapped[int] = mapped_column(ForeignKey("lead.id"), index=True)
    lead_b: Mapped[int] = mapped_column(ForeignKey("lead.id"), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(320))


class Target(Base):
    """The person a lead resolves to, with the subscriber details obtained and from whom."""

    __tablename__ = "target"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="")
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    phones: Mapped[list[str]] = mapped_column(default=list)
    subscriber_details: Mapped[str] = mapped_column(Text, default="")
    subscriber_source: Mapped[str] = mapped_column(String(200), default="")
    """Who gave the subscriber details (an ISP, a telecom operator, a platform)."""
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    district: Mapped[District] = relationship()


class LeadTarget(Base):
    """Lead ``lead_id`` resolved to target ``target_id``: one target per lead."""

    __tablename__ = "lead_target"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id"), unique=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("target.id"), index=True)
    resolved_by: Mapped[str] = mapped_column(String(200))
    resolved_at: Mapped[datetime] = mapped_column(default=utcnow)


class RaidPlan(Base):
    """A raid planned on a target; its outcome fills ``raid_id`` and ``case_id``."""

    __tablename__ = "raid_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operation.id"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("target.id"), index=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    location: Mapped[str] = mapped_column(Text)
    team_lead: Mapped[str] = mapped_column(String(200))
    planned_for: Mapped[datetime]
    raid_id: Mapped[int | None] = mapped_column(ForeignKey("raid.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"), index=True)
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    operation: Mapped[Operation] = relationship()
    target: Mapped[Target] = relationship()
    district: Mapped[District] = relationship()
    raid: Mapped[Raid | None] = relationship()
    case: Mapped[Case | None] = relationship()
