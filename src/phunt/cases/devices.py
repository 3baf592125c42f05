"""Seized devices and their chain of custody."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from phunt.audit import store as audit
from phunt.cases.case_files import get_case, get_suspect
from phunt.cases.operations import get_raid
from phunt.errors import ConflictError, NotFoundError, UsageError
from phunt.schema.cases import CUSTODY_ACTIONS, DEVICE_KINDS, CustodyEvent, Device


def add_device(
    session: Session,
    evidence_number: str,
    kind: str,
    *,
    make: str = "",
    model: str = "",
    serial: str = "",
    imei: str = "",
    raid_id: int | None = None,
    suspect_id: int | None = None,
    case_id: int | None = None,
) -> Device:
    """Register a seized device under its unique evidence number."""
    evidence_number = evidence_number.strip()
    if not evidence_number:
        raise UsageError("a device needs an evidence number")
    if kind not in DEVICE_KINDS:
        raise UsageError(f"unknown device kind {kind!r} (choose from: {', '.join(DEVICE_KINDS)})")
    if imei and not (imei.isdigit() and len(imei) in (14, 15, 16)):
        raise UsageError(f"IMEI must be 14 to 16 digits, got {imei!r}")
    if session.scalar(select(Device).where(Device.evidence_number == evidence_number)):
        raise UsageError(f"evidence number {evidence_number!r} is already registered")
    if raid_id is not None:
        get_raid(session, raid_id)
    if suspect_id is not None:
        get_suspect(session, suspect_id)
    if case_id is not None:
        get_case(session, case_id)
    device = Device(
        evidence_number=evidence_number,
        kind=kind,
        make=make,
        model=model,
        serial=serial,
        imei=imei,
        raid_id=raid_id,
        suspect_id=suspect_id,
        case_id=case_id,
    )
    session.add(device)
    session.flush()
    details = {
        "evidence_number": evidence_number,
        "kind": kind,
        "make": make,
        "model": model,
        "serial": serial,
        "imei": imei,
        "raid": raid_id,
        "suspect": suspect_id,
        "case": case_id,
    }
    audit.append(session, "device.add", "device", device.id, details)
    return device


def get_device(session: Session, ref: int | str) -> Device:
    """Find a device by id or evidence number."""
    device = None
    if isinstance(ref, int) or str(ref).isdigit():
        device = session.get(Device, int(ref))
    if device is None:
        device = session.scalar(select(Device).where(Device.evidence_number == str(ref)))
    if device is None:
        raise NotFoundError(f"no device {ref!r}")
    return device


def list_devices(session: Session, case_id: int | None = None) -> list[Device]:
    query = select(Device).order_by(Device.id)
    if case_id is not None:
        query = query.where(Device.case_id == case_id)
    return list(session.scalars(query))


def log_custody(
    session: Session,
    device: int | str,
    action: str,
    actor: str,
    at: datetime,
    note: str = "",
    *,
    seen: int | None = None,
) -> CustodyEvent:
    """Append a custody event; events are never edited, only added.

    The device's row is locked first, so events of one device are added (and audited) one
    at a time, in the order of their ids. ``seen`` is the id of the newest event the user
    saw (0: none); when another was logged since, a :class:`ConflictError` says so.
    """
    dev = get_device(session, device)
    session.execute(select(Device.id).where(Device.id == dev.id).with_for_update())
    newest = session.scalars(
        select(CustodyEvent)
        .where(CustodyEvent.device_id == dev.id)
        .order_by(CustodyEvent.id.desc())
    ).first()
    if seen is not None and (0 if newest is None else newest.id) != seen:
        assert newest is not None
        raise ConflictError(
            f"device {dev.evidence_number}: {newest.actor} logged {newest.action!r} (event "
            f"{newest.id}) since you read its custody; reload it and log again"
        )
    if action not in CUSTODY_ACTIONS:
        choices = ", ".join(CUSTODY_ACTIONS)
        raise UsageError(f"unknown custody action {action!r} (choose from: {choices})")
    if not actor.strip():
        raise UsageError("a custody event needs the name of who handled the device")
    event = CustodyEvent(device_id=dev.id, action=action, actor=actor.strip(), at=at, note=note)
    session.add(event)
    session.flush()
    details: dict[str, object] = {"device": dev.evidence_number, "action": action}
    details |= {"by": event.actor, "note": note}
    details["event"] = event.id
    details["at"] = at.isoformat()
    audit.append(session, "custody.log", "device", dev.id, details)
    return event


def custody_history(session: Session, device: int | str) -> list[CustodyEvent]:
    dev = get_device(session, device)
    query = select(CustodyEvent).where(CustodyEvent.device_id == dev.id)
    return list(session.scalars(query.order_by(CustodyEvent.at, CustodyEvent.id)))
