"""The web tests' world: a small operation built with the real services, on both databases.

:func:`build_world` records an operation with raids in two districts, case A and case B
with suspects and devices in custody, ingests a generated folder on each device against a
synthetic hash list (an exact and a near match on each) with a WhatsApp text export inside
it (imported by the ingest, its media tied to the stored picture), and adds one user per
role, the investigator and the analyst assigned to case A only. Device A also holds a file
whose name is a script, and its chat a message and a sender that are markup: every page
must show them as text.

The world is built once per run and per database (about 2 s on SQLite and 4 s on
PostgreSQL, mostly the two ingests) and each test gets its own copy: of the template file
on SQLite, of the template schema's rows on PostgreSQL, into a schema of a pool that is
migrated once and restored after each test (migrating a schema per test took longer than
the rest of a test's set-up).

``tests/web`` is a package: a test module takes the world's type and the hostile strings
with ``from .conftest import World, HOSTILE_FILE``. Every route of the app is walked by
``test_security.py`` (headers, escaping), with the world's ids for the path parameters.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Integer, select, text
from starlette.testclient import TestClient

from phunt.accounts import store as accounts
from phunt.accounts.access import ROLES
from phunt.cases.case_files import add_suspect, arrest_suspect, open_case
from phunt.cases.devices import add_device, log_custody
from phunt.cases.operations import add_raid, create_operation
from phunt.config import Settings
from phunt.demo import make_device_folder
from phunt.hashsets.store import import_hash_list
from phunt.ingest.job import ingest
from phunt.schema.chats import ChatRecord
from phunt.schema.db import Database
from phunt.schema.ingest import EvidenceFile, FileMatch
from phunt.web.app import create_app

from .leads_world import add_leads

if TYPE_CHECKING:
    from fastapi import FastAPI
    from playwright.sync_api import Browser, Page

#: Evidence text that is markup: shown escaped, it is harmless text.
HOSTILE_FILE = '<svg onload=alert("file")>.txt'  # no slash: a file name
HOSTILE_TEXT = "<img src=x onerror=alert(1)> see you at the stall"
HOSTILE_SENDER = "<b>Mallory</b>"
#: Each role's user is named after the role.
PASSWORDS = {role: f"{role}-correct-horse-battery-staple" for role in ROLES}
TZ = ZoneInfo("Asia/Kolkata")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class World:
    """Ids of what :func:`build_world` made, for the tests to ask pages about."""

    operation_id: int
    raid_ids: list[int]
    district_ids: list[int]
    case_a: int
    case_b: int
    suspect_a: int
    suspect_b: int
    device_a: int
    device_b: int
    file_ids_a: list[int]
    file_ids_b: list[int]
    matched_file_a: int  # an exact (SHA-256) match
    near_file_a: int  # a PDQ match at a distance above 0
    matched_file_b: int
    hostile_file_a: int  # the file named HOSTILE_FILE
    chat_a: int
    chat_b: int
    hash_set: str
    passwords: dict[str, str]
    settings: Settings
    database: Database
    evidence: Path
    extra: dict[str, Any] = field(default_factory=dict)


def _chat_export(folder: Path, group: str, picture: str, members: list[str], text: str) -> None:
    """A WhatsApp text export (Android, day first) naming ``picture`` as an attachment."""
    lines = [
        f'05/01/2026, 10:00 - {members[0]} created group "{group}"',
        f"05/01/2026, 10:00 - {members[0]} added {', '.join(members[1:])}",
        f"05/01/2026, 10:01 - {members[0]}: Good morning, the stall rota is ready.",
        f"05/01/2026, 10:02 - {members[1]}: \u200e{picture} (file attached)",
        f"05/01/2026, 10:03 - {members[1]}: {text}",
        f"05/01/2026, 10:04 - {members[-1]}: Thanks, see you on Sunday.",
    ]
    (folder / f"WhatsApp Chat with {group}.txt").write_text("\n".join(lines) + "\n")


def _pdq(path: Path) -> str:
    from phunt.hashing.pdq import hash_image_file

    return hash_image_file(str(path)).hash.hex


def _resave_smaller(path: Path) -> None:
    from PIL import Image

    with Image.open(path) as img:
        smaller = img.resize((img.width * 3 // 4, img.height * 3 // 4))
    smaller.save(path, "JPEG", quality=60)


def _folders(root: Path) -> tuple[Path, Path, list[str]]:
    """The two devices' folders, and the synthetic list's lines."""
    folder_a, folder_b = root / "device-a", root / "device-b"
    pics_a = make_device_folder(folder_a, seed=1, pictures=4)
    pics_b = make_device_folder(folder_b, seed=2, pictures=4)
    (folder_a / "Documents" / HOSTILE_FILE).write_text("a note\n")
    known = [pics_a[0], pics_b[0]]  # exact matches
    near = [pics_a[1], pics_b[1]]  # listed by PDQ, then re-saved smaller: near matches
    lines = ["# synthetic list: generated pictures declared known for the web tests"]
    lines += [hashlib.sha256(p.read_bytes()).hexdigest() for p in known]
    lines += ["# kind: pdq", *(_pdq(p) for p in near)]
    for p in near:
        _resave_smaller(p)
    shared = "+91 98000 00077"  # the same phone in both groups: a person across cases
    _chat_export(
        pics_a[0].parent,
        "Ward 9 Market",
        pics_a[0].name,
        ["Asha Example", HOSTILE_SENDER, shared],
        HOSTILE_TEXT,
    )
    _chat_export(
        pics_b[0].parent,
        "Harbour Traders",
        pics_b[0].name,
        ["Binu Sample", "Chitra Test", shared],
        "The boat leaves at five.",
    )
    return folder_a, folder_b, lines


def build_world(database: Database, root: Path, settings: Settings) -> World:
    """Record, ingest and import the world into ``database`` (files under ``root``)."""
    t0 = datetime(2026, 11, 28, 0, 30, tzinfo=UTC)
    folder_a, folder_b, lines = _folders(root)
    with database.session() as s:
        op = create_operation(s, "P-Hunt (web tests)", "synthetic data only")
        raid_a = add_raid(s, op.id, "Ernakulam", "Kakkanad, flat 4B", t0, "SI Officer One")
        raid_b = add_raid(
            s, op.id, "Kozhikode", "Mavoor Road, shop 3", t0 + timedelta(minutes=20), "SI Two"
        )
        add_raid(s, op.id, "Kozhikode", "Beach Road, house 9", t0 + timedelta(hours=1), "SI Two")
        statutes = ["IT Act s.67B", "POCSO s.15"]
        case_a = open_case(
            s, "CR 101/2026", "Cyber PS Ernakulam", "Ernakulam", statutes, operation=op.id,
            raid_id=raid_a.id,
        )  # fmt: skip
        case_b = open_case(
            s, "CR 202/2026", "Cyber PS Kozhikode", "Kozhikode", statutes, operation=op.id,
            raid_id=raid_b.id,
        )  # fmt: skip
        suspect_a = add_suspect(s, case_a.id, "Arun Example", phones=["+91 98470 10001"])
        suspect_b = add_suspect(s, case_b.id, "Bindu Sample", phones=["+91 98470 10002"])
        arrest_suspect(s, suspect_a.id, t0 + timedelta(hours=2))
        for number, case, raid, suspect in (
            ("EV-A/1", case_a, raid_a, suspect_a),
            ("EV-B/1", case_b, raid_b, suspect_b),
        ):
            add_device(
                s, number, "mobile phone", case_id=case.id, raid_id=raid.id,
                suspect_id=suspect.id,
            )  # fmt: skip
            log_custody(s, number, "seized", raid.team_lead, raid.raided_at)
        ids = (op.id, [raid_a.id, raid_b.id], case_a.id, case_b.id, suspect_a.id, suspect_b.id)
        districts = sorted({raid_a.district_id, raid_b.district_id})
    hash_list = root / "known-web.txt"
    hash_list.write_text("\n".join(lines) + "\n")
    with database.session() as s:
        import_hash_list(s, str(hash_list), name="web-known", source_agency="test unit")
    ingest(database, str(folder_a), "EV-A/1", workers=1)
    ingest(database, str(folder_b), "EV-B/1", workers=1)
    with database.session() as s:
        for role, password in PASSWORDS.items():
            accounts.add_user(s, role, role, password)
        for role in ("investigator", "analyst"):
            accounts.assign(s, role, ids[2])
    world = _collect(database, root, settings, ids, districts)
    exact = {world.case_a: world.matched_file_a, world.case_b: world.matched_file_b}
    ops = (world.operation_id, world.case_a, world.case_b)
    world.extra |= add_leads(database, root, ops, exact, world.near_file_a)
    return world


def _collect(
    database: Database,
    root: Path,
    settings: Settings,
    ids: tuple[int, list[int], int, int, int, int],
    districts: list[int],
) -> World:
    """The world's ids, read back from the database."""
    from phunt.schema.cases import Device

    with database.session() as s:
        devices = {n: i for n, i in s.execute(select(Device.evidence_number, Device.id))}
        device_a, device_b = devices["EV-A/1"], devices["EV-B/1"]

        def files(device: int) -> list[int]:
            query = select(EvidenceFile.id).where(EvidenceFile.device_id == device)
            return list(s.scalars(query.order_by(EvidenceFile.id)))

        def matched(device: int, exact: bool) -> int:
            query = select(FileMatch.file_id).join(
                EvidenceFile, EvidenceFile.id == FileMatch.file_id
            )
            query = query.where(EvidenceFile.device_id == device)
            query = query.where(FileMatch.distance == 0 if exact else FileMatch.distance > 0)
            return min(s.scalars(query))

        def chat(device: int) -> int:
            return s.scalars(select(ChatRecord.id).where(ChatRecord.device_id == device)).one()

        hostile = select(EvidenceFile.id).where(EvidenceFile.path.endswith(HOSTILE_FILE))
        return World(
            operation_id=ids[0],
            raid_ids=ids[1],
            district_ids=districts,
            case_a=ids[2],
            case_b=ids[3],
            suspect_a=ids[4],
            suspect_b=ids[5],
            device_a=device_a,
            device_b=device_b,
            file_ids_a=files(device_a),
            file_ids_b=files(device_b),
            matched_file_a=matched(device_a, exact=True),
            near_file_a=matched(device_a, exact=False),
            matched_file_b=matched(device_b, exact=True),
            hostile_file_a=s.scalars(hostile).one(),
            chat_a=chat(device_a),
            chat_b=chat(device_b),
            hash_set="web-known",
            passwords=dict(PASSWORDS),
            settings=settings,
            database=database,
            evidence=root,
        )


def _settings(root: Path, url: str) -> Settings:
    return Settings(home=root / "phunt-home", database_url=url, timezone=TZ)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, World]:
    """The world built once on SQLite; tests get copies of its file."""
    root = tmp_path_factory.mktemp("web-world")
    path = root / "template.db"
    url = f"sqlite:///{path}"
    database = Database(url)
    try:
        world = build_world(database, root / "evidence", _settings(root, url))
    finally:
        database.close()
    return path, world


def _copy_sqlite(template: Path, database: Database) -> None:
    """Put the template's content under an opened database (its pool is emptied first),
    with the hash-set files an SQLite database keeps in ``hashsets/`` beside it."""
    target = Path(database.engine.url.database or "")
    database.engine.dispose()
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, target)
    beside = template.parent / "hashsets"
    if beside.is_dir():
        shutil.copytree(beside, target.parent / "hashsets", dirs_exist_ok=True)


POSTGRES = os.environ.get("PHUNT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def _copy_schema(conn: Any, source: str, target: str) -> None:
    """Make every table of schema ``target`` hold what ``source``'s holds (both are at the
    same migration), and move each id sequence past the copied ids."""
    from sqlalchemy import text

    from phunt.schema.metadata import metadata

    tables = metadata.sorted_tables
    for table in reversed(tables):
        conn.execute(text(f'DELETE FROM "{target}"."{table.name}"'))
    for table in tables:
        names = ", ".join(f'"{c.name}"' for c in table.columns)
        conn.execute(
            text(
                f'INSERT INTO "{target}"."{table.name}" ({names}) '
                f'SELECT {names} FROM "{source}"."{table.name}"'
            )
        )
        keys = list(table.primary_key.columns)
        serial = len(keys) == 1 and isinstance(keys[0].type, Integer)  # not a text key
        if serial and keys[0].autoincrement in (True, "auto"):
            qualified, key = f'"{target}"."{table.name}"', keys[0].name
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence(:table, :key),"
                    f' (SELECT COALESCE(MAX("{key}"), 0) + 1 FROM {qualified}), false)'
                ),
                {"table": qualified, "key": key},
            )


class SchemaPool:
    """Migrated PostgreSQL schemas reused by the web tests: migrating a new one is most of
    a test's set-up, restoring a used one to the just-migrated state (the rows of a
    pristine schema) a small part of it."""

    def __init__(self) -> None:
        from sqlalchemy import create_engine, text

        self.admin = create_engine(POSTGRES.replace("postgresql://", "postgresql+psycopg://", 1))
        self.made: list[str] = []
        self.free: list[str] = []
        self.text = text
        self.pristine = self._new()

    def url(self, schema: str) -> str:
        from test_lib import postgres_url_for_schema

        return postgres_url_for_schema(POSTGRES, schema)

    def _new(self) -> str:
        schema = f"w_{uuid.uuid4().hex[:12]}"
        with self.admin.begin() as conn:
            conn.execute(self.text(f'CREATE SCHEMA "{schema}"'))
        self.made.append(schema)
        Database(self.url(schema)).close()  # migrated
        return schema

    def take(self) -> str:
        return self.free.pop() if self.free else self._new()

    def give_back(self, schema: str) -> None:
        """Restore ``schema`` and offer it again (not if a stray connection holds a lock)."""
        from sqlalchemy.exc import DBAPIError

        try:
            with self.admin.begin() as conn:
                conn.execute(self.text("SET LOCAL lock_timeout = '10s'"))
                _copy_schema(conn, self.pristine, schema)
        except DBAPIError:
            return
        self.free.append(schema)

    def close(self) -> None:
        with self.admin.begin() as conn:
            for schema in self.made:
                conn.execute(self.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def _postgres_pool() -> Iterator[SchemaPool]:
    from sqlalchemy.exc import OperationalError

    try:
        pool = SchemaPool()
    except OperationalError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI and unreachable: {exc.orig}")
        pytest.skip(f"PostgreSQL unreachable: {exc.orig}")
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """As the suite's ``db_url`` (an isolated database of each kind), but on PostgreSQL a
    schema of :class:`SchemaPool`, already migrated."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'phunt.db'}"
        return
    pool: SchemaPool = request.getfixturevalue("_postgres_pool")
    schema = pool.take()
    try:
        yield pool.url(schema)
    finally:
        pool.give_back(schema)


@pytest.fixture(scope="session")
def _postgres_template(
    _postgres_pool: SchemaPool, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, World]:
    """The world built once in a PostgreSQL schema of its own; tests get copies of its rows."""
    schema = _postgres_pool.take()
    root = tmp_path_factory.mktemp("web-world-pg")
    url = _postgres_pool.url(schema)
    database = Database(url)
    try:
        world = build_world(database, root / "evidence", _settings(root, url))
    finally:
        database.close()
    return schema, world


def _copy_postgres(template: str, database: Database) -> None:
    with database.engine.begin() as conn:
        target = conn.execute(text("SELECT current_schema()")).scalar_one()
        _copy_schema(conn, template, target)


@pytest.fixture
def web_world(database: Database, tmp_path: Path, request: pytest.FixtureRequest) -> World:
    """The world in this test's database (see the module)."""
    settings = _settings(tmp_path, database.url)
    if database.engine.dialect.name == "sqlite":
        template, world = request.getfixturevalue("_sqlite_template")
        _copy_sqlite(template, database)
    else:
        schema, world = request.getfixturevalue("_postgres_template")
        _copy_postgres(schema, database)
    return World(**{**world.__dict__, "settings": settings, "database": database})


@pytest.fixture
def web_app(web_world: World) -> Iterator[FastAPI]:
    """The app over the world's database."""
    app = create_app(web_world.settings)
    try:
        yield app
    finally:
        app.state.database.close()


def login_client(client: TestClient, name: str, password: str) -> Any:
    """Log ``client`` in through the login form (its token first); the final response."""
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]*)"', page)
    assert token is not None and token.group(1), "the login form carries its token"
    form = {"name": name, "password": password, "csrf_token": token.group(1), "next": "/dashboard"}
    return client.post("/login", data=form, follow_redirects=False)


@pytest.fixture
def client_for(web_world: World, web_app: FastAPI) -> Iterator[Callable[[str], TestClient]]:
    """``client_for("analyst")``: a test client logged in as that role's user."""
    clients: list[TestClient] = []

    def make(role: str) -> TestClient:
        client = TestClient(web_app)
        response = login_client(client, role, web_world.passwords[role])
        assert response.status_code == 303, response.text
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def token_for(web_world: World) -> Callable[[str], str]:
    """``token_for("auditor")``: a new API token of that role's user."""

    def make(role: str) -> str:
        with web_world.database.session() as s:
            return accounts.new_token(s, role)

    return make


@pytest.fixture
def live_server(web_world: World) -> Iterator[str]:
    """The app served by uvicorn in a thread on a free port: its base URL."""
    import uvicorn

    app = create_app(web_world.settings)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", server_header=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
        app.state.database.close()


def chromium_or_skip() -> str:
    """Debian's chromium, or a skip with what to do (a failure under CI=true)."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    line = f"{CHROMIUM} missing: `make test` installs Debian's chromium (apt-get install chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{line} (required under CI=true)", pytrace=False)
    pytest.skip(line)


@pytest.fixture(scope="session")
def _chromium() -> Iterator[Browser]:
    """One chromium for the run (launching it is most of a browser test's time)."""
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def browser(live_server: str, _chromium: Browser) -> Iterator[Page]:
    """A fresh page (its own cookies) whose relative URLs go to the live server."""
    context = _chromium.new_context(base_url=live_server)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def login(web_world: World) -> Callable[[Page, str], None]:
    """``login(page, "analyst")``: log the page in through the login form."""

    def do(page: Page, role: str) -> None:
        page.goto("/login")
        page.fill("#name", role)
        page.fill("#password", web_world.passwords[role])
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)

    return do
