"""The one SQLite connection of the process, its pragmas, transactions and migrations."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from enum import StrEnum
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import aiosqlite

from bot.resources import migrations_dir

MIGRATIONS_DIR = migrations_dir()
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")
_log = logging.getLogger(__name__)

Params = Sequence[Any] | dict[str, Any]


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_db_time(moment: datetime) -> str:
    """Times are stored as UTC ISO strings, which sort and compare as text."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_db_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def migrations() -> list[tuple[int, Traversable]]:
    """The numbered scripts, in order (package data: read the same from a checkout or a wheel)."""
    found = []
    for path in MIGRATIONS_DIR.iterdir():
        match = _MIGRATION_NAME.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
    return sorted(found)


LATEST_VERSION = migrations()[-1][0]

# Primary SQLite result codes that mean the bytes of the file are not a usable database.
_DAMAGED_CODES = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}


class DatabaseProblem(StrEnum):
    """Why a database file cannot be used; the command line tells the operator what to do."""

    DAMAGED = "damaged"
    """Not a SQLite file, or a damaged one (truncated, overwritten): restore or move it aside."""
    DIRECTORY = "directory"
    """The path names a folder, not a file."""
    NOT_A_FOLDER = "not_a_folder"
    """A plain file (`detail`) stands where a folder of the path should be."""
    CANNOT_OPEN = "cannot_open"
    """Anything else the system or SQLite refuses (permissions, full disk); `detail` says what."""


class DatabaseUnusable(Exception):
    """The database at `path` cannot be opened, checked or migrated; nothing is left open."""

    def __init__(self, path: Path, problem: DatabaseProblem, detail: str = "") -> None:
        super().__init__(f"{path}: {problem.value}" + (f": {detail}" if detail else ""))
        self.path = path
        self.problem = problem
        self.detail = detail

    @classmethod
    def from_sqlite(cls, path: Path, error: sqlite3.Error) -> DatabaseUnusable:
        """Corruption by its result code; any other SQLite error is reported with its text."""
        code = getattr(error, "sqlite_errorcode", None)
        if code is not None and (code & 0xFF) in _DAMAGED_CODES:
            return cls(path, DatabaseProblem.DAMAGED, str(error))
        return cls(path, DatabaseProblem.CANNOT_OPEN, str(error))


def _check_location(path: Path) -> None:
    """Create the folder of a new database, or say why the path cannot hold one.

    SQLite itself only answers "unable to open database file" for both cases below.
    """
    if path.is_dir():
        raise DatabaseUnusable(path, DatabaseProblem.DIRECTORY)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        blocking = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
        if blocking is not None:
            raise DatabaseUnusable(path, DatabaseProblem.NOT_A_FOLDER, str(blocking)) from error
        raise DatabaseUnusable(
            path, DatabaseProblem.CANNOT_OPEN, error.strerror or str(error)
        ) from error


class Database:
    """One writer connection shared by repositories and persistence, and one reader.

    aiosqlite runs every statement of a connection on one thread in order; the lock keeps a
    transaction's statements together so another coroutine's write cannot slip into it. Reads
    go to the second connection, which in WAL mode sees only committed data: a reader never
    sees another coroutine's transaction that may still roll back. Inside its own transaction
    a coroutine reads on the writer, and so sees what it wrote. (`:memory:` has no second
    connection; reads there wait for the writer's lock.)
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._conn: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        self._writing: asyncio.Task[Any] | None = None

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("Database is not open")
        return self._conn

    async def open(self, *, migrate: bool = True) -> Database:
        """Connect, set the pragmas, check the file is SQLite and migrate it.

        Any failure raises `DatabaseUnusable` with the connection closed again: its worker
        thread would otherwise keep the process alive after the error.
        """
        if self._conn is not None:
            return self
        if str(self.path) != ":memory:":
            _check_location(self.path)
        try:
            conn = await aiosqlite.connect(self.path, isolation_level=None)
        except sqlite3.Error as error:  # aiosqlite has stopped its thread already
            raise DatabaseUnusable.from_sqlite(self.path, error) from error
        try:
            conn.row_factory = aiosqlite.Row
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA foreign_keys=ON")
            await conn.execute("PRAGMA busy_timeout=5000")
            await conn.execute("PRAGMA synchronous=NORMAL")
            # Cheap, unlike `PRAGMA quick_check`: the header and the whole schema are read, so
            # a file that is not SQLite, or is shorter than its header says, fails here.
            await conn.execute_fetchall("PRAGMA schema_version")
            await conn.execute_fetchall("SELECT type, name, sql FROM sqlite_master")
            self._conn = conn
            if migrate:
                await self.migrate()
            if str(self.path) != ":memory:":
                self._reader = await self._open_reader()
        except BaseException as error:
            self._conn = None
            with contextlib.suppress(sqlite3.Error):
                await conn.close()
            if isinstance(error, sqlite3.Error):
                raise DatabaseUnusable.from_sqlite(self.path, error) from error
            raise
        return self

    async def _open_reader(self) -> aiosqlite.Connection:
        reader = await aiosqlite.connect(self.path, isolation_level=None)
        try:
            reader.row_factory = aiosqlite.Row
            await reader.execute("PRAGMA query_only=ON")
            await reader.execute("PRAGMA foreign_keys=ON")
            await reader.execute("PRAGMA busy_timeout=5000")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                await reader.close()
            raise
        return reader

    async def close(self) -> None:
        if self._reader is not None:
            await self._reader.close()
            self._reader = None
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    async def __aenter__(self) -> Database:
        return await self.open()

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def version(self) -> int:
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def migrate(self, target: int | None = None) -> list[int]:
        """Bring the file up to `target` (default: latest) in place; returns what was applied."""
        target = LATEST_VERSION if target is None else target
        current = await self.version()
        applied = []
        for number, path in migrations():
            if current < number <= target:
                async with self.transaction() as conn:
                    await conn.executescript_in_tx(path.read_text(encoding="utf-8"), number)
                applied.append(number)
                _log.info("Applied migration %s", path.name)
        return applied

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        """`BEGIN IMMEDIATE` … `COMMIT`: statements that belong together land together or not."""
        async with self._lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            self._writing = asyncio.current_task()
            try:
                yield Tx(self.conn)
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            else:
                await self.conn.execute("COMMIT")
            finally:
                self._writing = None

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[aiosqlite.Connection]:
        """The connection a read outside a transaction uses (see the class)."""
        if self._writing is not None and self._writing is asyncio.current_task():
            yield self.conn
        elif self._reader is not None:
            yield self._reader
        else:
            async with self._lock:
                yield self.conn

    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        async with self._reading() as conn, conn.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def fetchall(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        async with self._reading() as conn, conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def execute(self, sql: str, params: Params = ()) -> int:
        """A single write outside a transaction block (it is its own transaction)."""
        async with self._lock, self.conn.execute(sql, params) as cursor:
            return cursor.lastrowid or 0

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        async with self.transaction() as tx:
            await tx.executemany(sql, rows)


class Tx:
    """The statements available inside a transaction."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        async with self._conn.execute(sql, params) as cursor:
            return cursor.lastrowid or 0

    async def rowcount(self, sql: str, params: Params = ()) -> int:
        async with self._conn.execute(sql, params) as cursor:
            return cursor.rowcount

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await self._conn.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        async with self._conn.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def fetchall(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        async with self._conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def executescript_in_tx(self, script: str, version: int) -> None:
        """Run a migration's statements one by one inside the open transaction.

        `executescript` would COMMIT first; splitting keeps a migration and its version atomic.
        """
        for statement in _split_sql(script):
            await self._conn.execute(statement)
        await self._conn.execute(f"PRAGMA user_version = {int(version)}")


def _split_sql(script: str) -> list[str]:
    import sqlite3

    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip() and not all(
        not part.strip() or part.strip().startswith("--") for part in buffer.splitlines()
    ):
        statements.append(buffer.strip())
    return statements
