"""The CASE/UCO nodes of one device's export, each built from one database row.

CASE 1.x requires every object and facet to be an IRI node (no blank nodes), hash values
as ``xsd:hexBinary`` and times as ``xsd:dateTime``; its shapes suggest ids ending in a
UUID. Ids here are ``kb:<kind>-<uuid5 of the row's natural key>`` (:mod:`.ids`), so the
same rows give the same ids. Empty values are left out, never written as "".
"""

from __future__ import annotations

import functools
import os
from typing import Any

from phunt import __version__
from phunt.exports.ids import clean, stable_uuid, utc_text
from phunt.exports.store_device import FileRow
from phunt.schema.cases import Case, CustodyEvent, Device
from phunt.schema.ingest import IngestJob

Node = dict[str, Any]

CONTEXT = {
    "kb": "urn:phunt:kb:",
    "case-investigation": "https://ontology.caseontology.org/case/investigation/",
    "uco-action": "https://ontology.unifiedcyberontology.org/uco/action/",
    "uco-core": "https://ontology.unifiedcyberontology.org/uco/core/",
    "uco-identity": "https://ontology.unifiedcyberontology.org/uco/identity/",
    "uco-observable": "https://ontology.unifiedcyberontology.org/uco/observable/",
    "uco-tool": "https://ontology.unifiedcyberontology.org/uco/tool/",
    "uco-types": "https://ontology.unifiedcyberontology.org/uco/types/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
_HASH_METHODS = (("md5", "MD5"), ("sha1", "SHA1"), ("sha256", "SHA256"))


def iri(kind: str, *key: object) -> str:
    """``kb:<kind>-<uuid of key>``: a record's facets and hashes share its key's UUID, told
    apart by their kind (one UUID to compute per file, not eight)."""
    return f"kb:{kind}-{_uuid(key)}"


@functools.lru_cache(maxsize=4096)
def _uuid(key: tuple[object, ...]) -> str:
    return stable_uuid(*key)


def ref(target: str) -> dict[str, str]:
    return {"@id": target}


def when(value: Any) -> dict[str, str]:
    return {"@type": "xsd:dateTime", "@value": utc_text(value) or ""}


def _pruned(node: Node) -> Node:
    return {key: value for key, value in node.items() if value not in (None, "", [])}


def tool_node() -> Node:
    return {
        "@id": iri("tool", "phunt", __version__),
        "@type": "uco-tool:Tool",
        "uco-core:name": "phunt",
        "uco-tool:version": __version__,
        "uco-tool:toolType": "triage, hashing and hash-list matching",
    }


def person_node(name: str) -> Node:
    return {
        "@id": iri("person", name),
        "@type": "uco-identity:Person",
        "uco-core:name": clean(name),
    }


def organization_node(name: str) -> Node:
    return {
        "@id": iri("organization", name),
        "@type": "uco-identity:Organization",
        "uco-core:name": clean(name),
    }


def device_node(device: Device) -> Node:
    key = device.evidence_number
    facets: list[Node] = [
        _pruned(
            {
                "@id": iri("device-facet", key),
                "@type": "uco-observable:DeviceFacet",
                "uco-observable:deviceType": device.kind,
                "uco-observable:manufacturer": (
                    ref(iri("organization", device.make)) if device.make else None
                ),
                "uco-observable:model": clean(device.model),
                "uco-observable:serialNumber": clean(device.serial),
            }
        )
    ]
    if device.imei:
        facets.append(
            {
                "@id": iri("mobile-device-facet", key),
                "@type": "uco-observable:MobileDeviceFacet",
                "uco-observable:IMEI": device.imei,
            }
        )
    mobile = device.kind == "mobile phone"
    return {
        "@id": iri("device", key),
        "@type": "uco-observable:MobileDevice" if mobile else "uco-observable:Device",
        "uco-core:name": clean(key),
        "uco-core:hasFacet": facets,
    }


def investigation_node(case: Case, objects: list[str]) -> Node:
    return _pruned(
        {
            "@id": iri("investigation", case.station, case.number),
            "@type": "case-investigation:Investigation",
            "uco-core:name": clean(case.number),
            "uco-core:description": f"FIR {clean(case.number)}, {clean(case.station)}",
            "case-investigation:focus": [clean(statute) for statute in case.statutes],
            "uco-core:object": [ref(target) for target in objects],
        }
    )


def provenance_node(key: tuple[object, ...], exhibit: str, objects: list[str], text: str) -> Node:
    return {
        "@id": iri("provenance-record", *key),
        "@type": "case-investigation:ProvenanceRecord",
        "uco-core:description": text,
        "case-investigation:exhibitNumber": clean(exhibit),
        "uco-core:object": [ref(target) for target in objects],
    }


def action_node(key: tuple[object, ...], name: str, **fields: Any) -> Node:
    """An investigative action: ``performer``, ``instrument`` (IRIs), ``objects``,
    ``results``, ``informed_by`` (lists of IRIs), ``start``/``end`` (times), ``status``
    and ``description``."""
    refs = {k: [ref(t) for t in fields.get(k) or []] for k in ("objects", "results")}
    informed = [ref(t) for t in fields.get("informed_by") or []]
    return _pruned(
        {
            "@id": iri("investigative-action", *key),
            "@type": "case-investigation:InvestigativeAction",
            "uco-core:name": name,
            "uco-core:description": fields.get("description"),
            "uco-action:actionStatus": fields.get("status"),
            "uco-action:startTime": when(fields["start"]) if fields.get("start") else None,
            "uco-action:endTime": when(fields["end"]) if fields.get("end") else None,
            "uco-action:performer": ref(fields["performer"]) if fields.get("performer") else None,
            "uco-action:instrument": ref(fields["instrument"])
            if fields.get("instrument")
            else None,
            "uco-action:object": refs["objects"],
            "uco-action:result": refs["results"],
            "case-investigation:wasInformedBy": informed,
        }
    )


def custody_text(event: CustodyEvent) -> str:
    note = f": {clean(event.note)}" if event.note else ""
    return f"custody: {event.action} by {clean(event.actor)}{note}"


def source_node(device: Device, job: IngestJob) -> Node:
    """The evidence source an ingest read (a folder, an archive, a disk image)."""
    key = (device.evidence_number, job.id)
    path = clean(job.source_path)
    folder = job.source_kind == "folder"
    facets: list[Node] = [
        _pruned(
            {
                "@id": iri("source-file-facet", *key),
                "@type": "uco-observable:FileFacet",
                "uco-observable:fileName": os.path.basename(path.rstrip("/")) or path,
                "uco-observable:filePath": path,
                "uco-observable:isDirectory": True if folder else None,
                "uco-observable:sizeInBytes": job.source_size,
            }
        )
    ]
    if job.source_sha256:
        facets.append(_content(("source", *key), {"sha256": job.source_sha256}, job.source_size))
    return {
        "@id": iri("source", *key),
        "@type": "uco-observable:Directory" if folder else "uco-observable:File",
        "uco-core:name": path,
        "uco-core:hasFacet": facets,
    }


def set_list_node(name: str, sha256: str) -> Node:
    """A hash list as imported (its file's SHA-256), which matching compared against."""
    return {
        "@id": iri("hash-list", name),
        "@type": "uco-observable:File",
        "uco-core:name": clean(name.removeprefix("hashset:")),
        "uco-core:hasFacet": [_content(("hash-list", name), {"sha256": sha256}, None)],
    }


def file_iri(evidence: str, job: int, seq: int) -> str:
    return iri("file", evidence, job, seq)


def file_node(evidence: str, file: FileRow) -> Node:
    key = (evidence, file.job_id, file.seq)
    path = clean(file.path)
    name = os.path.basename(path.rstrip("/")) or path
    extension = os.path.splitext(name)[1].lstrip(".")
    facets: list[Node] = [
        _pruned(
            {
                "@id": iri("file-facet", *key),
                "@type": "uco-observable:FileFacet",
                "uco-observable:fileName": name,
                "uco-observable:filePath": path,
                "uco-observable:extension": extension,
                "uco-observable:sizeInBytes": file.size,
                "uco-observable:allocationStatus": "deleted" if file.deleted else None,
                "uco-observable:modifiedTime": when(file.modified) if file.modified else None,
                "uco-observable:accessedTime": when(file.accessed) if file.accessed else None,
                "uco-observable:metadataChangeTime": when(file.changed) if file.changed else None,
                "uco-observable:observableCreatedTime": when(file.created)
                if file.created
                else None,
            }
        )
    ]
    digests = {kind: getattr(file, kind) for kind, _ in _HASH_METHODS}
    if any(digests.values()) or file.mime:
        facets.append(_content(key, digests, file.size, file.mime))
    return {
        "@id": file_iri(*key),
        "@type": "uco-observable:File",
        "uco-core:hasFacet": facets,
    }


def contained_node(file_target: str, device_target: str) -> Node:
    return {
        "@id": "kb:relationship-" + file_target.removeprefix("kb:file-"),
        "@type": "uco-core:Relationship",
        "uco-core:source": ref(file_target),
        "uco-core:target": ref(device_target),
        "uco-core:kindOfRelationship": "Contained_Within",
        "uco-core:isDirectional": True,
    }


def _content(
    key: tuple[object, ...],
    digests: dict[str, str | None],
    size: int | None,
    mime: str | None = None,
) -> Node:
    hashes = [
        {
            "@id": iri(f"hash-{method.lower()}", *key),
            "@type": "uco-types:Hash",
            "uco-types:hashMethod": method,
            "uco-types:hashValue": {"@type": "xsd:hexBinary", "@value": value.upper()},
        }
        for kind, method in _HASH_METHODS
        if (value := digests.get(kind))
    ]
    return _pruned(
        {
            "@id": iri("content-data-facet", *key),
            "@type": "uco-observable:ContentDataFacet",
            "uco-observable:mimeType": mime,
            "uco-observable:sizeInBytes": size,
            "uco-observable:hash": hashes,
        }
    )
