"""Regenerate the hash-list fixtures in this folder.

Every hash here is a digest of an invented string (``digest(kind, n)``), every name and
text is invented; nothing comes from a real hash set. Run from anywhere:
``python test_data/hashsets/make_fixtures.py``. Output is deterministic.
"""

from __future__ import annotations

import base64
import codecs
import hashlib
import io
import json
import sqlite3
import zipfile
import zlib
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
VICS2 = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/{}/$metadata#{}"
VICS1 = "http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#{}"
ICSE_HEADER = (
    "MD5;SHA1;PhotoDNA;Image ID;Is distributed;Victim identified;Offender identified;"
    "Series name;Number of submissions;File Available;Media Type;Baseline"
)
RDS2_HEADER = (
    '"SHA-1","MD5","CRC32","FileName","FileSize","ProductCode","OpSystemCode","SpecialCode"'
)


def digest(kind: str, n: int) -> str:
    """A synthetic hash: ``kind`` digest of "phunt fixture <n>" (pdq: sha256 of "pdq <n>")."""
    if kind == "pdq":
        return hashlib.sha256(f"phunt pdq {n}".encode()).hexdigest()
    if kind == "photodna":
        raw = hashlib.shake_256(f"phunt photodna {n}".encode()).digest(144)
        return base64.b64encode(raw).decode("ascii")
    if kind == "crc32":
        return f"{zlib.crc32(f'phunt fixture {n}'.encode()):08X}"
    return hashlib.new(kind, f"phunt fixture {n}".encode()).hexdigest()


def up(kind: str, n: int) -> str:
    return digest(kind, n).upper()


def write(name: str, text: str | bytes) -> None:
    data = text.encode("utf-8") if isinstance(text, str) else text
    (HERE / name).write_bytes(data)


def plain() -> None:
    lines = [
        "# Synthetic list for phunt tests: digests of invented strings",
        digest("md5", 1),
        up("sha1", 1),
        "",
        f"{digest('sha256', 1)}  holiday_photo.png",
        "   # indented comment",
        f"{digest('md5', 2)} *report.pdf",
    ]
    write("plain.txt", b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")
    write(
        "plain_pdq.txt",
        f"# kind: pdq\n{digest('pdq', 1)}\n{up('pdq', 2)}\n# kind: auto\n{digest('sha256', 2)}\n",
    )
    write("plain_bad_hex.txt", f"# list\n{digest('md5', 1)}\n{digest('md5', 2)[:-1]}g\n")
    write("plain_bad_length.txt", f"{digest('md5', 1)}\n{digest('md5', 2)[:-1]}\n")


def csv_lists() -> None:
    write(
        "list.csv",
        "# exported by an invented tool\n"
        "MD5,SHA-1,File Name,Category,Note\n"
        f'{digest("md5", 1)},{up("sha1", 1)},blue.png,1,"first, with a comma"\n'
        f"{digest('md5', 2)},,red.png,0,\n"
        f",{digest('sha1', 3)},green.png,,plain\n",
    )
    write("list_generic.csv", f"hash\n{digest('md5', 4)}\n{digest('sha256', 4)}\n")
    write("list_semicolon.csv", f"sha256;pdq\n{digest('sha256', 5)};{digest('pdq', 5)}\n")
    write(
        "list_wrong_columns.csv",
        f"md5,name\n{digest('md5', 1)},a.png\n{digest('md5', 2)},b.png,extra\n",
    )
    write("list_bad_hex.csv", f"md5,name\n{digest('md5', 1)},a.png\n{'z' * 32},b.png\n")
    write("list_bad_category.csv", f"md5,category\n{digest('md5', 1)},one\n")


def vics_hashset() -> dict[str, Any]:
    return {
        "@odata.context": VICS2.format("Default", "Media"),
        "value": [
            {
                "MediaID": 1,
                "Category": 1,
                "MD5": up("md5", 1),
                "SHA1": up("sha1", 1),
                "PhotoDNA": digest("photodna", 1),
                "MediaSize": 48213,
                "VictimIdentified": False,
                "OffenderIdentified": "false",
                "IsDistributed": True,
                "IsPrecategorized": True,
                "PrecategorizationSource": "NCMEC",
                "Series": "Series Alpha",
                "Tags": "blue; square",
                "Comments": "invented record",
                "DateUpdated": "2023-06-07T02:31:49.8300Z",
            },
            {
                "MediaID": 2,
                "Category": 0,
                "MD5": up("md5", 2),
                "AlternativeHashes": [
                    {"MD5": up("md5", 2), "HashName": "SHA1", "HashValue": up("sha1", 2)},
                    {
                        "MD5": up("md5", 2),
                        "HashName": "PhotoDNA",
                        "HashValue": digest("photodna", 2),
                    },
                ],
                "MediaSize": 1024,
                "IsDistributed": "true",
            },
            {
                "MediaID": 3,
                "Category": None,
                "MD5": up("md5", 3),
                "SHA1": "",
                "MimeType": "image/png",
                "Exifs": [
                    {"MD5": up("md5", 3), "PropertyName": "Make", "PropertyValue": "Example Co"}
                ],
            },
        ],
    }


def media_file(n: int, name: str) -> dict[str, Any]:
    return {
        "MD5": up("md5", n),
        "FileName": name,
        "FilePath": f"C:\\Users\\example\\Pictures\\{name}",
        "Created": "2024-01-02T03:04:05Z",
        "Deleted": "false",
        "Unallocated": False,
        "PhysicalLocation": 4096 * n,
    }


def vics_case() -> dict[str, Any]:
    return {
        "@odata.context": VICS2.format("US", "Cases"),
        "value": [
            {
                "CaseID": "6f1c2f4e-0000-4000-8000-000000000001",
                "CaseNumber": "DEMO-2024-001",
                "ContactName": "Example Examiner",
                "ContactOrganization": "Example Unit",
                "SourceApplicationName": "phunt fixture",
                "TotalMediaFiles": 2,
                "Media": [
                    {
                        "MediaID": 1,
                        "Category": 2,
                        "MD5": up("md5", 11),
                        "SHA1": up("sha1", 11),
                        "RelativeFilePath": "Media\\img_0001.png",
                        "MediaFiles": [media_file(11, "img_0001.png"), media_file(11, "copy.png")],
                    },
                    {"MediaID": 2, "Category": 4, "MD5": up("md5", 12), "IsSuspected": "true"},
                ],
                "TotalPrecategorized": 1,
            },
            {"CaseID": "6f1c2f4e-0000-4000-8000-000000000002", "Media": []},
            {
                "CaseID": "6f1c2f4e-0000-4000-8000-000000000003",
                "CaseNumber": "DEMO-2024-003",
                "Media": [{"MediaID": 3, "Category": 0, "MD5": up("md5", 13)}],
            },
        ],
    }


def vics() -> None:
    hashset = vics_hashset()
    text = json.dumps(hashset, indent=1)
    write("vics2_hashset.json", text + "\n")
    write("vics2_case.json", json.dumps(vics_case(), indent=1) + "\n")
    v13 = {
        "odata.metadata": VICS1.format("Media"),
        "value": [
            {"odata.id": f"Media('{up('md5', 21)}')", "MediaID": 1, "Category": 5,
             "MD5": up("md5", 21), "MediaSize": "2048", "IsPrecategorized": "true"},
            {"MediaID": 2, "Category": 1, "MD5": up("md5", 22), "SHA1": up("sha1", 22)},
        ],
    }  # fmt: skip
    write("vics13_hashset.json", json.dumps(v13, indent=1) + "\n")
    cut = text.index('"MediaSize": 1024')
    write("vics_truncated.json", text[:cut])
    bad = json.loads(text)
    bad["value"][1]["MD5"] = up("md5", 2)[:-1]
    write("vics_bad_hash.json", json.dumps(bad, indent=1) + "\n")
    bad = json.loads(text)
    bad["value"][2]["Category"] = "high"
    write("vics_bad_category.json", json.dumps(bad, indent=1) + "\n")
    write("vics_syntax.json", text.replace('"MediaID": 3,', '"MediaID": 3,,', 1))
    deep = "[" * 5000 + "]" * 5000  # nesting that made the decoder raise RecursionError
    write("vics_deep.json", text.replace('"MediaID": 2,', f'"MediaID": 2, "Comments": {deep},', 1))


def icse() -> None:
    pdna_hex = base64.b64decode(digest("photodna", 32)).hex().upper()
    rows = [
        f"{up('md5', 31)};{up('sha1', 31)};{digest('photodna', 31)};1001;yes;n;f;Series Alpha;"
        "3;t;Image;false",
        f"{up('md5', 32)};;{pdna_hex};1002;no;;;;1;n;Image;",
        f"{up('md5', 33)};{up('sha1', 33)};;1003;true;false;false;;0;y;Video;n",
    ]
    write("icse.csv", "\r\n".join([ICSE_HEADER, *rows]) + "\r\n")
    write(
        "icse_wrong_columns.csv",
        "\n".join([ICSE_HEADER, rows[0], rows[1].rsplit(";", 1)[0]]) + "\n",
    )
    write(
        "icse_bad_flag.csv",
        "\n".join([ICSE_HEADER, rows[0], rows[1], rows[2].replace(";y;", ";maybe;")]) + "\n",
    )
    write(
        "icse_bad_photodna.csv",
        "\n".join([ICSE_HEADER, rows[0].replace(digest("photodna", 31), "QUJD")]) + "\n",
    )


RDS15_HEADER = (
    '"SHA-1","FileName","FileSize","ProductCode","OpSystemCode","MD4","MD5","CRC32","SpecialCode"'
)


def stored_zip(members: dict[str, bytes]) -> bytes:
    """A deterministic zip of ``members`` (fixed dates, deflated)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, (2024, 12, 1, 0, 0, 0)), data)
    return out.getvalue()


def nsrl_v15_and_zip() -> None:
    """RDS 1.5's column order (MD4 of zeros), and RDS 2.x as NIST zips it."""
    rows = [
        f'"{up("sha1", n)}","{name}",{size},{product},"{os_code}",'
        f'"{"0" * 32}","{up("md5", n)}","{digest("crc32", n)}",""'
        for n, name, size, product, os_code in [
            (51, "INFODESK.ICO", 503, 1, "WIN"),
            (52, "liveupdt.hlp", 300, 1, "WIN"),
        ]
    ]
    write("NSRLFile_rds15.txt", "\r\n".join([RDS15_HEADER, *rows]) + "\r\n")
    text = (HERE / "NSRLFile.txt").read_bytes()
    version = b'"RDS Version 2.99 - phunt fixture"\r\n'
    product = b'"ProductCode","ProductName"\r\n1234,"Invented Suite"\r\n'
    members = {"NSRLFile.txt": text, "NSRLProd.txt": product, "version.txt": version}
    write("RDS_sample.zip", stored_zip(members))
    write("NSRLFile_no_member.zip", stored_zip({"readme.txt": b"no hashes here\r\n"}))


def nsrl_v2() -> None:
    def row(n: int, name: str, size: int, product: int, os_code: str, special: str) -> str:
        return (
            f'"{up("sha1", n)}","{up("md5", n)}","{digest("crc32", n)}","{name}",{size},'
            f'{product},"{os_code}","{special}"'
        )

    body = "\r\n".join(
        [
            RDS2_HEADER,
            row(41, "readme.txt", 1024, 1234, "358", ""),
            row(42, "setup, v2.exe", 204800, 1234, "358", ""),
            row(43, "tool.exe", 4096, 99, "WINXP", "M"),
        ]
    )
    raw = body.encode("utf-8").replace(b"tool.exe", b"caf\xe9.exe") + b"\r\n"
    write("NSRLFile.txt", raw)
    lines = body.split("\r\n")
    write(
        "NSRLFile_wrong_columns.txt", "\r\n".join([*lines[:2], lines[2].rsplit(",", 1)[0]]) + "\r\n"
    )
    write(
        "NSRLFile_bad_hash.txt",
        "\r\n".join(
            [
                lines[0],
                lines[1],
                lines[2].replace('"', '"Z', 1).replace("Z" + up("sha1", 42)[0], "Z", 1),
            ]
        )
        + "\r\n",
    )


MINIMAL_SCHEMA = """
CREATE TABLE FILE (sha256 VARCHAR NOT NULL, sha1 VARCHAR NOT NULL, md5 VARCHAR NOT NULL,
  crc32 VARCHAR NOT NULL, file_name VARCHAR NOT NULL, file_size INTEGER NOT NULL,
  package_id INTEGER NOT NULL,
  PRIMARY KEY (sha256, sha1, md5, crc32, file_name, file_size, package_id));
CREATE TABLE MFG (manufacturer_id INTEGER NOT NULL, name VARCHAR NOT NULL,
  PRIMARY KEY (manufacturer_id, name));
CREATE TABLE OS (operating_system_id INTEGER NOT NULL, name VARCHAR NOT NULL,
  version VARCHAR NOT NULL, manufacturer_id INTEGER NOT NULL,
  PRIMARY KEY (operating_system_id, name, version, manufacturer_id));
CREATE TABLE PKG (package_id INTEGER NOT NULL, name VARCHAR NOT NULL, version VARCHAR NOT NULL,
  operating_system_id INTEGER NOT NULL, manufacturer_id INTEGER NOT NULL,
  language VARCHAR NOT NULL, application_type VARCHAR NOT NULL,
  PRIMARY KEY (package_id, name, version, operating_system_id, manufacturer_id, language,
  application_type));
CREATE TABLE VERSION (version VARCHAR UNIQUE NOT NULL, build_set VARCHAR NOT NULL,
  build_date TIMESTAMP NOT NULL, release_date TIMESTAMP NOT NULL, description VARCHAR NOT NULL);
CREATE VIEW DISTINCT_HASH AS SELECT DISTINCT sha256, sha1, md5, crc32 FROM FILE;
"""

FULL_SCHEMA = """
CREATE TABLE METADATA (object_id INTEGER PRIMARY KEY, sha256 VARCHAR, sha1 VARCHAR,
  md5 VARCHAR, crc32 VARCHAR, file_name VARCHAR, extension VARCHAR, path VARCHAR,
  bytes INTEGER, mtime INTEGER);
CREATE TABLE PACKAGE_OBJECT (package_id INTEGER NOT NULL, object_id INTEGER NOT NULL);
CREATE TABLE VERSION (version VARCHAR UNIQUE NOT NULL, build_set VARCHAR NOT NULL,
  build_date TIMESTAMP NOT NULL, release_date TIMESTAMP NOT NULL, description VARCHAR NOT NULL);
CREATE VIEW FILE AS SELECT UPPER(m.sha256) AS sha256, UPPER(m.sha1) AS sha1,
  UPPER(m.md5) AS md5, m.file_name || '.' || m.extension AS file_name, m.bytes AS file_size,
  p.package_id AS package_id
  FROM METADATA m JOIN PACKAGE_OBJECT p ON p.object_id = m.object_id ORDER BY m.object_id;
"""

VERSION_ROW = (
    "2024.12.1",
    "minimal",
    "2024-12-01 00:00:00",
    "2024-12-10 00:00:00",
    "invented fixture",
)


def database(name: str, schema: str, fill: str, rows: list[tuple[Any, ...]]) -> Path:
    path = HERE / name
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path)
    with connection:
        connection.executescript(schema)
        connection.executemany(fill, rows)
        if "VERSION" in schema:
            connection.execute("INSERT INTO VERSION VALUES (?, ?, ?, ?, ?)", VERSION_ROW)
    connection.execute("VACUUM")
    connection.close()
    return path


def nsrl_v3() -> None:
    def minimal_row(n: int, name: str, size: int, package: int) -> tuple[Any, ...]:
        return (
            up("sha256", n),
            up("sha1", n),
            up("md5", n),
            digest("crc32", n),
            name,
            size,
            package,
        )

    rows = [minimal_row(51, "readme.txt", 1024, 7), minimal_row(52, "logo.png", 2048, 7),
            minimal_row(51, "readme.txt", 1024, 8)]  # fmt: skip
    fill = "INSERT INTO FILE VALUES (?, ?, ?, ?, ?, ?, ?)"
    minimal = database("RDS_2024.12.1_minimal.db", MINIMAL_SCHEMA, fill, rows)
    with sqlite3.connect(minimal) as connection:
        connection.execute("INSERT INTO MFG VALUES (1, 'Example Software Co')")
        connection.execute(
            "INSERT INTO PKG VALUES (7, 'Example Viewer', '1.0', 3, 1, 'English', 'Viewer')"
        )
    connection.close()
    bad = [
        rows[0],
        (up("sha256", 52), up("sha1", 52)[:-2], up("md5", 52), "00000000", "b.txt", 1, 7),
    ]
    database("RDS_bad_hash.db", MINIMAL_SCHEMA, fill, bad)
    data = minimal.read_bytes()
    write("RDS_truncated.db", data[: len(data) // 2])
    full_rows = [
        (61, digest("sha256", 61), digest("sha1", 61), digest("md5", 61), digest("crc32", 61),
         "setup", "exe", "/disk1/", 4096, 0),
        (62, digest("sha256", 62), digest("sha1", 62), digest("md5", 62), digest("crc32", 62),
         "help", "chm", "/disk1/doc/", 8192, 0),
    ]  # fmt: skip
    full = database(
        "RDS_2024.12.1_full.db",
        FULL_SCHEMA,
        "INSERT INTO METADATA VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        full_rows,
    )
    with sqlite3.connect(full) as connection:
        connection.executemany("INSERT INTO PACKAGE_OBJECT VALUES (?, ?)", [(7, 61), (7, 62)])
    connection.close()
    database(
        "not_nsrl.db",
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, text VARCHAR);",
        "INSERT INTO notes VALUES (?, ?)",
        [(1, "shopping list"), (2, "meeting at ten")],
    )


def threatexchange() -> None:
    write(
        "te_typed.txt",
        f"pdq {digest('pdq', 71)}\npdq {up('pdq', 72)}\n\nvideo_md5 {digest('md5', 73)}\n"
        "url https://example.org/item/74\n",
    )
    write(
        "te_dataset.csv",
        "signal_type,signal_str,collab,category,tags\n"
        f"pdq,{digest('pdq', 75)},Example Collab,INVESTIGATION_SEED,blue square\n"
        f"video_md5,{digest('md5', 76)},Example Collab,POSITIVE_CLASS,\n",
    )
    write(
        "te_hasher.txt",
        f"{digest('pdq', 77)},100,images/blue-square.png\n"
        f"{digest('pdq', 78)},49,images/red circle, copy.png\n"
        f"hash={digest('pdq', 79)},norm=128,delta=0,quality=90,dims=64x64,filename=green.png\n",
    )
    write("te_bad_length.txt", f"pdq {digest('pdq', 71)}\npdq {digest('pdq', 72)[:-1]}\n")
    write(
        "te_dataset_reordered.csv",
        "collab,signal_type,signal_str,category,tags\n"
        f"Example Collab,pdq,{digest('pdq', 75)},WORTH_INVESTIGATING,\n",
    )
    time = "2020-07-31T18:47:52+0000"
    write(
        "hma_pdq.csv",
        f"{digest('pdq', 101)},2880742865368386,{time},sample_tag media_type_photo\n"
        f"{digest('md5', 102)},3085044528211555,{time},media_type_video\n",
    )
    write("hma_holidays.csv", f"{digest('pdq', 103)},99244958314735,00000000000000,{time},a b\n")
    write("te_hasher_bad_quality.txt", f"{digest('pdq', 77)},2880742865368386,x.png\n")
    frames = [f"{n},100,{digest('pdq', 110 + n)},{n / 30:.3f}" for n in range(52)]
    write("vpdq_video.txt", "\n".join(frames[:4]) + "\n")
    # Past the probe's 50 lines, frame 52 is damaged: detected as vPDQ, refused on reading.
    write("vpdq_bad_frame.txt", "\n".join([*frames[:51], frames[51][:-8]]) + "\n")
    write(
        "te_dataset_wrong_columns.csv",
        "signal_type,signal_str,collab,category,tags\n"
        f"pdq,{digest('pdq', 75)},Example Collab,INVESTIGATION_SEED\n",
    )


def unicode_lists() -> None:
    """Windows tools save lists as UTF-16 with a byte-order mark: the same lists that way."""
    for name, target, encoding in (
        ("plain.txt", "plain_utf16le.txt", "utf-16-le"),
        ("list.csv", "list_utf16le.csv", "utf-16-le"),
        ("list.csv", "list_utf16be.csv", "utf-16-be"),
        ("vics2_case.json", "vics2_case_utf16le.json", "utf-16-le"),
        ("list.csv", "list_utf32le.csv", "utf-32-le"),
        ("NSRLFile_rds15.txt", "NSRLFile_utf16le.txt", "utf-16-le"),
    ):
        text = (HERE / name).read_bytes().decode("utf-8-sig")
        write(target, "\ufeff".encode(encoding) + text.encode(encoding))
    csv = (HERE / "list.csv").read_bytes().decode("utf-8")
    write("list_utf16_no_bom.csv", csv.encode("utf-16-le"))
    # A lone surrogate on line 6, after five good lines: not UTF-16 although the mark says so.
    good = "md5\n" + "".join(f"{digest('md5', n)}\n" for n in range(1, 6))
    bad = "\ud800".encode("utf-16-le", "surrogatepass") + "a\n".encode("utf-16-le")
    write("list_utf16_broken.csv", codecs.BOM_UTF16_LE + good.encode("utf-16-le") + bad)


def checksum_tools() -> None:
    """hashdeep's own format, BSD tag lines and md5deep -z, with one damaged copy each."""
    rows = [
        f"{size},{digest('md5', n)},{digest('sha256', n)},{name}"
        for n, size, name in [
            (61, 1024, "/cases/a.txt"),
            (62, 0, "/cases/b, with a comma.txt"),
        ]
    ]
    head = [
        "%%%% HASHDEEP-1.0",
        "%%%% size,md5,sha256,filename",
        "## Invoked from: /home/examiner",
        "## $ hashdeep -r /cases",
        "##",
    ]
    write("hashdeep.txt", "\n".join([*head, *rows]) + "\n")
    write("hashdeep_bad_size.txt", "\n".join([*head, rows[0].replace("1024", "1k")]) + "\n")
    bsd = [
        f"MD5 (a.txt) = {digest('md5', 71)}",
        f"SHA256 (a.txt) = {digest('sha256', 71)}",
        f"SHA1 (photo (1).jpg) = {up('sha1', 72)}",
    ]
    write("bsd_tag.txt", "\n".join(bsd) + "\n")
    write("bsd_tag_bad_hex.txt", bsd[0] + "\n" + bsd[1][:-1] + "g\n")
    deep = [
        f"{1024:>10}  {digest('md5', 81)}  /cases/c.txt",
        f"{7:>10}  {digest('md5', 82)}  /cases/d  e.txt",
    ]
    write("md5deep_z.txt", "\n".join(deep) + "\n")
    ilook = [
        "V4Hash,HashSHA1,FileName,FilePath,FileSize,HashSHA256,HashSHA384,HashSHA512,ModTime",
        f"{up('md5', 91)},{up('sha1', 91)},a.doc,D:\\cases\\,10429,,,,16.4.2008 10:24:28",
        f"{up('md5', 92)},{up('sha1', 92)},b.doc,D:\\cases\\,9559,{up('sha256', 92)},,,",
    ]
    write("ilook_v4.csv", "\r\n".join(ilook) + "\r\n")
    ilook3 = [
        "V3Hash,HashSHA1,FileName,FilePath,FileSize,HashSHA256,HashSHA384,HashSHA512",
        f"{up('md5', 93)},{up('sha1', 93)},c.doc,\\,10429,,,",
    ]
    write("ilook_v3.csv", "\r\n".join(ilook3) + "\r\n")
    keeper = [
        '"file_id","hashset_id","file_name","directory","hash","file_size","date_modified",'
        '"time_modified","time_zone","comments","date_accessed","time_accessed"',
        f'4151044,671,"setup.pdb",,"{up("md5", 131)}",91136,,,,,,',
        f'4151045,671,"readme, first.txt","C:\\docs","{up("md5", 132)}",4268,,,,,,',
    ]
    write("hashkeeper.hsh", "\r\n".join(keeper) + "\r\n")
    for name, kind, numbers in [
        ("NSRLFile.txt", "nsrl-md5", (121, 122)),
        ("notable.txt", "md5sum", (123, 124)),
    ]:
        header = [f"{'0' * 41}|{kind}", f"{'0' * 40}1|{name}"]
        rows = sorted(f"{up('md5', n)}|{n * 45:016d}" for n in numbers)
        write(f"{name}-md5.idx", "\n".join([*header, *rows]) + "\n")


#: HashKeeper's .hke header (its own spelling of "authenticated").
HKE_HEADER = (
    '"hashset_id","name","vendor","package","version","authenicated_flag","notable_flag",'
    '"initials","num_of_files","description","date_loaded"'
)


def hashkeeper_sets() -> None:
    """HashKeeper sets with their .hke descriptions (notable_flag 0 known-good, 1 known-bad):
    one of each kind, one .hke flagging both, one with a flag that is neither, one whose
    .hsh names a set its .hke does not describe."""
    hsh_header = (
        '"file_id","hashset_id","file_name","directory","hash","file_size","date_modified",'
        '"time_modified","time_zone","comments","date_accessed","time_accessed"'
    )
    sets = {
        "hk_known": ([("5", "0")], [("5", 141, "kernel.dll"), ("5", 142, "notes.hlp")]),
        "hk_notable": ([("7", "1")], [("7", 143, "picture 1.jpg")]),
        "hk_mixed": ([("5", "0"), ("7", "1")], [("5", 141, "kernel.dll"), ("7", 143, "x.jpg")]),
        "hk_bad_flag": ([("5", "2")], [("5", 144, "a.txt")]),
        "hk_stray": ([("5", "0")], [("5", 145, "a.txt"), ("9", 146, "b.txt")]),
    }
    for stem, (described, rows) in sets.items():
        hke = [HKE_HEADER] + [
            f'{set_id},"Z{set_id:0>5} Example set","Example Vendor","Example Suite","1.0",1,'
            f'{flag},"UNIT",{len(rows)},"An invented set",6/11/98 10:35:21'
            for set_id, flag in described
        ]
        write(f"{stem}.hke", "\r\n".join(hke) + "\r\n")
        hsh = [hsh_header] + [
            f'{4200000 + n},{set_id},"{name}","C:\\WINDOWS","{up("md5", n)}",{n * 100},,,,,,'
            for set_id, n, name in rows
        ]
        write(f"{stem}.hsh", "\r\n".join(hsh) + "\r\n")


def main() -> None:
    plain()
    csv_lists()
    vics()
    icse()
    nsrl_v2()
    nsrl_v15_and_zip()
    nsrl_v3()
    threatexchange()
    checksum_tools()
    hashkeeper_sets()
    unicode_lists()  # last: it copies fixtures the others write


if __name__ == "__main__":
    main()
