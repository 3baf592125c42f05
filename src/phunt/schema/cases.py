"""Models of the cases domain: operations, districts, raids, cases, suspects, devices, custody."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from phunt.schema.base import Base
from phunt.schema.types import utcnow

DEVICE_KINDS = (
    "mobile phone",
    "modem",
    "hard disk",
    "memory card",
    "laptop",
    "computer",
    "other",
)
CUSTODY_ACTIONS = ("seized", "transferred", "received", "imaged", "examined", "returned")


class Operation(Base):
    __tablename__ = "operation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class District(Base):
    __tablename__ = "district"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    state: Mapped[str] = mapped_column(String(100), default="Kerala")


class Raid(Base):
    __tablename__ = "raid"

    id: Mapped[int] = mapped_column(primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operation.id"), index=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    location: Mapped[str] = mapped_column(Text)
    raided_at: Mapped[datetime]
    team_lead: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    operation: Mapped[Operation] = relationship()
    district: Mapped[District] = relationship()


class Case(Base):
    __tablename__ = "case_file"
    __table_args__ = (UniqueConstraint("station", "number", name="uq_case_file_station_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(100))
    station: Mapped[str] = mapped_column(String(200))
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    operation_id: Mapped[int | None] = mapped_column(ForeignKey("operation.id"), index=True)
    raid_id: Mapped[int | None] = mapped_column(ForeignKey("raid.id"), index=True)
    statutes: Mapped[list[str]] = mapped_column(default=list)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)

    district: Mapped[District] = relationship()


class Suspect(Base):
    __tablename__ = "suspect"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    aliases: Mapped[list[str]] = mapped_column(default=list)
    phones: Mapped[list[str]] = mapped_column(default=list)
    handles: Mapped[list[str]] = mapped_column(default=list)
    arrested_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship()


class Device(Base):
    __tablename__ = "device"

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_number: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    make: Mapped[str] = mapped_column(String(100), default="")
    model: Mapped[str] = mapped_column(String(100), default="")
    serial: Mapped[str] = mapped_column(String(100), default="")
    imei: Mapped[str] = mapped_column(String(40), default="")
    raid_id: Mapped[int | None] = mapped_column(ForeignKey("raid.id"), index=True)
    suspect_id: Mapped[int | None] = mapped_column(ForeignKey("suspect.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CustodyEvent(Base):
    __tablename__ = "custody_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id"), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
