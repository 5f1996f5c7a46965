"""Whole-database copies: SQLite's online backup API, checked with `integrity_check`, gzipped.

Synchronous on purpose (run them with `asyncio.to_thread`): each opens its own `sqlite3`
connection, separate from the bot's, so a copy can be made while the bot writes.

Why one step (`pages=-1`): the backup then reads every page inside one read transaction, which
in WAL mode sees one committed state and does not block the bot's writer. Copying in small
steps would let the bot's commits (made on another connection) restart the copy from the
beginning each time, and a busy bot would never let it finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import hashlib
import os
import secrets
import shutil
import sqlite3
import zlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from bot.storage import leases
from bot.storage.db import Database, DatabaseUnusable

_GZIP_MAGIC = b"\x1f\x8b"
_SQLITE_MAGIC = b"SQLite format 3\x00"
_CHUNK = 1 << 20
_PROBLEM_LINES = 5
"""How many lines of `integrity_check`'s findings are kept for the operator."""
_LEASES_SINCE = 9
"""The migration that created the lease table."""


class BackupProblem(StrEnum):
    """Why a copy could not be made, or a backup file cannot be used."""

    MISSING = "missing"
    """The file does not exist."""
    NOT_A_BACKUP = "not_a_backup"
    """Neither a SQLite database nor a gzip of one."""
    TRUNCATED = "truncated"
    """A gzip file that ends early or fails its checksum: an interrupted or damaged copy."""
    DAMAGED = "damaged"
    """A SQLite file that fails `PRAGMA integrity_check`; `detail` holds its first findings."""
    CANNOT_WRITE = "cannot_write"
    """The system refused (permissions, full disk); `detail` says what."""
    CANNOT_READ = "cannot_read"
    """SQLite or the system refused to read the database; `detail` says what."""


class BackupFailed(Exception):
    def __init__(self, path: Path, problem: BackupProblem, detail: str = "") -> None:
        super().__init__(f"{path}: {problem.value}" + (f": {detail}" if detail else ""))
        self.path = path
        self.problem = problem
        self.detail = detail


@dataclass(frozen=True)
class Checked:
    """What `integrity_check` passed: the schema version and every table in the file."""

    version: int
    tables: tuple[str, ...]
    database_bytes: int


@dataclass(frozen=True)
class Copy:
    """A verified, compressed copy."""

    path: Path
    checked: Checked
    compressed_bytes: int


def _connect(path: Path) -> sqlite3.Connection:
    """An existing file only (`mode=rw`): a plain connect would create an empty database."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=30)


def check(path: Path) -> Checked:
    """`PRAGMA integrity_check` on a database file, its version and its tables."""
    try:
        conn = _connect(path)
    except sqlite3.Error as error:
        raise BackupFailed(path, BackupProblem.CANNOT_READ, str(error)) from error
    try:
        findings = [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
        if findings != ["ok"]:
            raise BackupFailed(path, BackupProblem.DAMAGED, "; ".join(findings[:_PROBLEM_LINES]))
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = tuple(
            str(row[0])
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        )
    except sqlite3.DatabaseError as error:
        raise BackupFailed(path, BackupProblem.DAMAGED, str(error)) from error
    finally:
        conn.close()
    return Checked(version=version, tables=tables, database_bytes=path.stat().st_size)


def sibling(path: Path, purpose: str) -> Path:
    """A hidden temporary name beside `path`: on the same disk, so renaming it is atomic."""
    return path.with_name(f".{path.name}.{purpose}-{secrets.token_hex(4)}")


def discard(*paths: Path) -> None:
    """Delete temporary database files and whatever SQLite left beside them."""
    for path in paths:
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(f"{path}{suffix}").unlink()


def _sync_folder(folder: Path) -> None:
    """The rename itself survives a power cut only once the folder is flushed (POSIX)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def snapshot(source: Path, target: Path) -> None:
    """A plain, single-file copy of `source` at `target` as of one committed state.

    The copy is switched to the rollback journal so it is one self-contained file (a WAL-mode
    copy would expect its `-wal` beside it); the bot switches it back to WAL when it opens it.
    """
    if not source.is_file():
        raise BackupFailed(source, BackupProblem.MISSING)
    try:
        origin = _connect(source)
    except sqlite3.Error as error:
        raise BackupFailed(source, BackupProblem.CANNOT_READ, str(error)) from error
    try:
        origin.execute("PRAGMA query_only = ON")
        copy = sqlite3.connect(target)
        try:
            origin.backup(copy)  # pages=-1: one read transaction, one committed state
            copy.execute("PRAGMA journal_mode = DELETE")
        finally:
            copy.close()
    except sqlite3.DatabaseError as error:
        discard(target)
        problem = (
            BackupProblem.CANNOT_WRITE
            if isinstance(error, sqlite3.OperationalError) and "disk" in str(error).lower()
            else BackupProblem.CANNOT_READ
        )
        raise BackupFailed(source, problem, str(error)) from error
    finally:
        origin.close()


def _compress(plain: Path, target: Path) -> int:
    """Gzip `plain` to `target` and read it back: the bytes must come out the same."""
    written = hashlib.sha256()
    with plain.open("rb") as source, target.open("wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0) as out:
            while chunk := source.read(_CHUNK):
                written.update(chunk)
                out.write(chunk)
        raw.flush()
        os.fsync(raw.fileno())
    read = hashlib.sha256()
    with gzip.open(target, "rb") as back:
        while chunk := back.read(_CHUNK):
            read.update(chunk)
    if read.digest() != written.digest():
        raise BackupFailed(target, BackupProblem.TRUNCATED, "the copy reads back differently")
    return target.stat().st_size


def make_copy(source: Path, target: Path) -> Copy:
    """Copy the database `source` to the gzip file `target`, checked before it is compressed.

    Nothing is left at `target` unless the whole copy succeeded: the work is done in hidden
    files beside it and renamed into place at the end.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupFailed(target, BackupProblem.CANNOT_WRITE, str(error)) from error
    plain, packed = sibling(target, "copy"), sibling(target, "partial")
    try:
        snapshot(source, plain)
        try:
            checked = check(plain)
        except BackupFailed as error:  # the copy is as damaged as the database it came from
            raise BackupFailed(source, error.problem, error.detail) from error
        size = _compress(plain, packed)
        os.replace(packed, target)
        _sync_folder(target.parent)
    except OSError as error:
        raise BackupFailed(target, BackupProblem.CANNOT_WRITE, str(error)) from error
    finally:
        discard(plain, packed)
    return Copy(path=target, checked=checked, compressed_bytes=size)


def unpack(backup: Path, target: Path) -> Checked:
    """Write the database a backup holds (gzip, or a plain SQLite file) to `target` and check
    it; on any problem nothing is left at `target`."""
    try:
        with backup.open("rb") as probe:
            head = probe.read(len(_SQLITE_MAGIC))
    except FileNotFoundError as error:
        raise BackupFailed(backup, BackupProblem.MISSING) from error
    except OSError as error:
        raise BackupFailed(backup, BackupProblem.CANNOT_READ, str(error)) from error
    try:
        if head.startswith(_GZIP_MAGIC):
            try:
                with gzip.open(backup, "rb") as source, target.open("wb") as out:
                    shutil.copyfileobj(source, out, _CHUNK)
                    out.flush()
                    os.fsync(out.fileno())
            except (EOFError, gzip.BadGzipFile, zlib.error) as error:
                raise BackupFailed(backup, BackupProblem.TRUNCATED, str(error)) from error
        elif head == _SQLITE_MAGIC:
            shutil.copyfile(backup, target)
        else:
            raise BackupFailed(backup, BackupProblem.NOT_A_BACKUP)
        with target.open("rb") as probe:
            if probe.read(len(_SQLITE_MAGIC)) != _SQLITE_MAGIC:
                raise BackupFailed(backup, BackupProblem.NOT_A_BACKUP)
        try:
            checked = check(target)
        except BackupFailed as error:  # named for the backup, not the file unpacked from it
            raise BackupFailed(backup, error.problem, error.detail) from error
    except BackupFailed:
        discard(target)
        raise
    except OSError as error:
        discard(target)
        raise BackupFailed(target, BackupProblem.CANNOT_WRITE, str(error)) from error
    return checked


def verify(backup: Path, scratch: Path) -> Checked:
    """Whether `backup` holds a sound database, unpacked into the folder `scratch` and removed."""
    target = sibling(scratch / "backup.sqlite3", "verify")
    try:
        return unpack(backup, target)
    finally:
        discard(target)


def quick_check(path: Path) -> tuple[int, list[str]]:
    """The version of an existing database and what `PRAGMA quick_check` finds (`[]`: sound).

    Read with a connection of its own, so it can be asked while the bot runs.
    """
    try:
        conn = _connect(path)
    except sqlite3.Error as error:
        raise BackupFailed(path, BackupProblem.CANNOT_READ, str(error)) from error
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        findings = [str(row[0]) for row in conn.execute("PRAGMA quick_check")]
    except sqlite3.DatabaseError as error:
        raise BackupFailed(path, BackupProblem.DAMAGED, str(error)) from error
    finally:
        conn.close()
    return version, ([] if findings == ["ok"] else findings[:_PROBLEM_LINES])


def set_aside(path: Path, new_name: str) -> Path:
    """Rename a database and its `-wal`/`-shm` files together (a WAL holds committed data)."""
    kept = path.with_name(new_name)
    try:
        for suffix in ("", "-wal", "-shm"):
            source = Path(f"{path}{suffix}")
            if source.exists():
                source.rename(Path(f"{kept}{suffix}"))
    except OSError as error:
        raise BackupFailed(
            path, BackupProblem.CANNOT_WRITE, error.strerror or str(error)
        ) from error
    _sync_folder(path.parent)
    return kept


def forget_leases(path: Path) -> None:
    """Drop the leases a copy holds: they belong to the process that ran when it was made,
    which does not run on the restored database (else a new deliverer would wait for them to
    run out)."""
    conn = _connect(path)
    try:
        if int(conn.execute("PRAGMA user_version").fetchone()[0]) >= _LEASES_SINCE:
            with conn:
                conn.execute("DELETE FROM lease")
    except sqlite3.Error as error:
        raise BackupFailed(path, BackupProblem.CANNOT_WRITE, str(error)) from error
    finally:
        conn.close()


def put_in_place(unpacked: Path, database: Path) -> None:
    """Move a checked copy to the database's name (the old one was set aside first)."""
    try:
        for suffix in ("-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(f"{database}{suffix}").unlink()
        os.replace(unpacked, database)
    except OSError as error:
        raise BackupFailed(
            database, BackupProblem.CANNOT_WRITE, error.strerror or str(error)
        ) from error
    _sync_folder(database.parent)


async def lease_holder(path: Path, name: str, now: datetime) -> str | None:
    """Who holds the lease `name` of the database at `path` now (None: nobody, or a version
    before leases existed); its own connection, closed again."""
    if not await asyncio.to_thread(path.is_file):  # opening would create it
        return None
    db = Database(path)
    try:
        await db.open(migrate=False)
        if await db.version() < _LEASES_SINCE:
            return None
        return await leases.holder_of(db, name, now)
    except DatabaseUnusable as error:
        raise BackupFailed(
            path, BackupProblem.CANNOT_READ, error.detail or error.problem.value
        ) from error
    except sqlite3.Error as error:
        raise BackupFailed(path, BackupProblem.CANNOT_READ, str(error)) from error
    finally:
        await db.close()
