"""Public ledger benchmark: append throughput, checkpoint time and proof latency as the log grows.

    .venv/bin/python bench/ledger/run.py [--sizes 1000,10000,100000,1000000]
                                         [--databases sqlite,postgresql]

For each database it creates a throwaway one (a fresh SQLite file in a temporary directory;
a uniquely named PostgreSQL database on the local server, dropped afterwards, even on error),
migrates it, and grows the ledger to each size in turn. Most of the growth is written by a bulk
filler that produces exactly the rows `services.ledger_record` writes (the same leaf document,
canonical JSON, leaf hash and stored nodes) many thousands at a time; the last appends before
each size go through the real `services.ledger_record`, timed: `--real` of them batched
(`--batch` per transaction), then `--single` of them committed one by one, each of the last
`--checkpoints` followed by a timed `services.checkpoint_publish` (root + signature + insert).
At each size it then times `selectors.inclusion_proof` / `selectors.consistency_proof` at
random indexes and older sizes.

Nothing is taken on trust: every checkpoint's root (computed by the service from the stored
nodes, filled or not) must equal the root this benchmark computes itself from the leaves, and a
sample of the proofs is verified with `merkle.verify_inclusion` / `merkle.verify_consistency`.

There is no external peer: each size is compared with the previous one. Proofs are O(log n), so
going ten times larger should multiply proof latency by about log(10n)/log(n) (1.1 to 1.3), not 10.

Each database runs in its own child process (Django is configured once per process, from the
environment, before django.setup()); the parent owns the throwaway databases and prints the
tables. Progress goes to stderr, tables to stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SIZES = "1000,10000,100000,1000000"
DEFAULT_POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/")
LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def progress(message: str) -> None:
    stamp = time.strftime("%H:%M:%SZ", time.gmtime())  # Django sets TZ in the worker
    print(f"[ledger {stamp}] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="ledger sizes, comma-separated")
    parser.add_argument("--databases", default="sqlite,postgresql", help="sqlite, postgresql")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES, help="server to create on")
    parser.add_argument("--real", type=int, default=2000, help="timed batched appends per size")
    parser.add_argument("--batch", type=int, default=1000, help="appends per transaction")
    parser.add_argument("--single", type=int, default=500, help="appends, one transaction each")
    parser.add_argument("--checkpoints", type=int, default=20, help="checkpoints timed per size")
    parser.add_argument("--proofs", type=int, default=200, help="proofs of each kind timed")
    parser.add_argument("--verify", type=int, default=50, help="of which verified and counted")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--worker", choices=sorted(LABELS), help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--var-dir", help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.size_list = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    args.database_list = [d.strip() for d in args.databases.split(",") if d.strip()]
    for name in args.database_list:
        if name not in LABELS:
            parser.error(f"unknown database {name!r}: choose among {', '.join(LABELS)}")
    if not args.size_list or args.size_list[0] < 2:
        parser.error("sizes must be at least 2")
    return args


# Statistics ---------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50": percentile(values, 0.5),
        "p95": percentile(values, 0.95),
        "mean": sum(values) / len(values),
        "max": max(values),
        "n": len(values),
    }


# The worker: one database, one process -------------------------------------------------------


def worker(args: argparse.Namespace) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "agora.settings",
            "DATABASE_URL": args.database_url,
            "VAR_DIR": args.var_dir,
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DEBUG": "false",  # DEBUG would also keep every query in memory
            "LEDGER_SIGNING_KEY": "",  # a fresh key under the temporary VAR_DIR
            "LEDGER_ORIGIN": "bench.agora.example/ledger",
            "REDIS_URL": "",
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    import agora

    progress(f"{args.worker}: code from {Path(agora.__file__).parent}")
    progress(f"{args.worker}: migrating {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0, interactive=False)
    results = LedgerBench(args).run()
    args.result.write_text(json.dumps(results))


class LedgerBench:
    def __init__(self, args: argparse.Namespace) -> None:
        from agora.ledger import merkle

        self.args = args
        self.rng = random.Random(args.seed)  # noqa: S311 - reproducible samples, not secrets
        self.merkle = merkle
        self.leaves: list[bytes] = []  # leaf hashes computed here, from the entries' leaf bytes
        self.compact = merkle.CompactRange()  # the root at the current size, computed here
        self.frontier: dict[int, bytes] = {}  # the latest completed node at each level

    # Setup -----------------------------------------------------------------------------

    def make_people(self) -> None:
        from agora.accounts.choices import OrganisationKind, Role
        from agora.accounts.models import Membership, Organisation, User

        names = [
            ("Région de Valmont", "region-valmont", OrganisationKind.PUBLIC_BODY),
            ("Ville de Saint-Aubin", "ville-saint-aubin", OrganisationKind.PUBLIC_BODY),
            ("Commission d'accès", "cada-valmont", OrganisationKind.OVERSIGHT_BODY),
            ("Transparence Valmont", "transparence-valmont", OrganisationKind.CIVIL_SOCIETY),
            ("Syndicat des eaux", "syndicat-eaux", OrganisationKind.PUBLIC_BODY),
        ]
        self.organisations = [
            Organisation.objects.create(name=name, slug=slug, kind=kind)
            for name, slug, kind in names
        ]
        self.actors: list[tuple[Any, Any, str]] = []
        roles = [Role.ADMIN, Role.EDITOR, Role.MEMBER]
        for number in range(20):
            organisation = self.organisations[number % len(self.organisations)]
            user = User.objects.create(
                email=f"agent{number}@bench.example", display_name=f"Agent {number}"
            )
            Membership.objects.create(
                user=user, organisation=organisation, role=roles[number % len(roles)]
            )
            self.actors.append((user, organisation, roles[number % len(roles)]))

    def entry_arguments(self, n: int) -> dict[str, Any]:
        """A realistic entry: an official of an organisation acts on something of it."""
        user, organisation, _role = self.actors[n % len(self.actors)]
        kind = n % 4
        if kind == 0:
            action, summary = "foi.request.answer", f"Answered information request #{n}"
            data = {"request": n, "pages": n % 37 + 1, "outcome": "full"}
        elif kind == 1:
            action, summary = "organisation.update", f"Updated {organisation.name}'s details"
            data = {"fields": ["website", "description"]}
        elif kind == 2:
            action, summary = "dataset.publish", f"Published budget lines, version {n}"
            data = {"dataset": "budget-lines", "version": n, "rows": 1200 + n % 500}
        else:
            action, summary = "membership.role_set", f"Changed a member's role ({n})"
            data = {"membership": n % 97, "role": "editor"}
        return {
            "actor": user,
            "organisation": organisation,
            "action": action,
            "subject": organisation if kind in (1, 3) else None,
            "summary": summary,
            "data": data,
        }

    # Growing ---------------------------------------------------------------------------

    def track(self, leaf: bytes) -> dict[tuple[int, int], bytes]:
        """Follows a new leaf hash here; returns the nodes it completes (as stored)."""
        index = len(self.leaves)

        def fetch(keys: Any) -> dict[tuple[int, int], bytes]:
            # A left sibling is always the latest completed node of its level.
            return {key: self.frontier[key[0]] for key in keys}

        nodes = self.merkle.nodes_completed_by(index, leaf, fetch)
        for (level, _position), digest in nodes.items():
            self.frontier[level] = digest
        self.leaves.append(leaf)
        self.compact.append(leaf)
        return nodes

    def append(self) -> None:
        from agora.ledger import services

        n = len(self.leaves)
        entry = services.ledger_record(**self.entry_arguments(n))
        if entry.index != n:
            raise AssertionError(f"entry {n} got index {entry.index}")
        self.track(self.merkle.leaf_hash(bytes(entry.leaf)))

    def fill(self, count: int) -> float:
        """Writes `count` entries and the nodes they complete in bulk, as ledger_record would
        have written them one by one; returns the seconds taken."""
        import rfc8785
        from django.db import transaction
        from django.utils import timezone

        from agora.ledger import services
        from agora.ledger.models import LedgerEntry, LedgerHead, LedgerNode

        started, last_report, done = time.perf_counter(), time.perf_counter(), 0
        chunk = 5000
        while done < count:
            now = timezone.now()
            now = now.replace(microsecond=now.microsecond // 1000 * 1000)
            entries, nodes = [], []
            for _ in range(min(chunk, count - done)):
                n = len(self.leaves)
                arguments = self.entry_arguments(n)
                user, organisation, role = self.actors[n % len(self.actors)]
                subject = arguments["subject"]
                entry = LedgerEntry(
                    index=n,
                    recorded_at=now,
                    action=arguments["action"],
                    actor_name=user.display_name,
                    actor_role=role,
                    organisation=organisation,
                    organisation_name=organisation.name,
                    subject_url=subject.get_absolute_url() if subject else "",
                    subject_id=f"accounts.organisation:{subject.pk}" if subject else "",
                    summary=arguments["summary"],
                    data=arguments["data"],
                )
                entry.leaf = rfc8785.dumps(services.leaf_document(entry))
                entry.leaf_hash = self.merkle.leaf_hash(entry.leaf)
                entries.append(entry)
                nodes += [
                    LedgerNode(level=level, position=position, hash=digest)
                    for (level, position), digest in self.track(entry.leaf_hash).items()
                    if level > 0
                ]
            with transaction.atomic():
                LedgerEntry.objects.bulk_create(entries, batch_size=1000)
                LedgerNode.objects.bulk_create(nodes, batch_size=1000)
                LedgerHead.objects.update_or_create(
                    pk=1, defaults={"size": len(self.leaves), "last_recorded_at": now}
                )
            done += len(entries)
            if time.perf_counter() - last_report > 30:
                last_report = time.perf_counter()
                rate = done / (last_report - started)
                progress(
                    f"{self.args.worker}: {len(self.leaves):,} entries filled, {rate:,.0f}/s, "
                    f"{(count - done) / rate:,.0f} s to go"
                )
        return time.perf_counter() - started

    def grow_bulk(self, count: int) -> float:
        """`count` appends, `batch` per transaction; returns the seconds taken."""
        from django.db import transaction

        done, started, last_report = 0, time.perf_counter(), time.perf_counter()
        while done < count:
            step = min(self.args.batch, count - done)
            with transaction.atomic():
                for _ in range(step):
                    self.append()
            done += step
            if time.perf_counter() - last_report > 30:
                last_report = time.perf_counter()
                rate = done / (last_report - started)
                progress(
                    f"{self.args.worker}: {len(self.leaves):,} entries, {rate:,.0f} appends/s, "
                    f"{(count - done) / rate:,.0f} s to go"
                )
        return time.perf_counter() - started

    def grow_single(self, count: int, checkpoints: int) -> dict[str, Any]:
        """`count` appends with one transaction each (as a lone service call commits them);
        the last `checkpoints` are each followed by a timed checkpoint_publish."""
        from agora.ledger import services

        append_seconds: list[float] = []
        checkpoint_ms: list[float] = []
        for number in range(count):
            started = time.perf_counter()
            self.append()
            append_seconds.append(time.perf_counter() - started)
            if number >= count - checkpoints:
                started = time.perf_counter()
                checkpoint = services.checkpoint_publish()
                checkpoint_ms.append((time.perf_counter() - started) * 1000)
                if checkpoint is None or checkpoint.size != len(self.leaves):
                    raise AssertionError(f"no checkpoint published at {len(self.leaves)}")
                if bytes(checkpoint.root) != self.compact.root():
                    raise AssertionError(f"checkpoint {checkpoint.size} has a wrong root")
        return {"append_seconds": append_seconds, "checkpoint_ms": checkpoint_ms}

    # Measuring -------------------------------------------------------------------------

    def roots_at(self, sizes: list[int]) -> dict[int, bytes]:
        """Roots at earlier sizes, from this benchmark's own leaf hashes (one pass)."""
        wanted = sorted(set(sizes))
        roots: dict[int, bytes] = {}
        compact = self.merkle.CompactRange()
        for size in wanted:
            for leaf in self.leaves[compact.size : size]:
                compact.append(leaf)
            roots[size] = compact.root()
        return roots

    def count_reads(self, call: Callable[[], Any]) -> dict[str, int]:
        """Queries run, node keys asked of node_fetch, and rows the queries returned."""
        from django.db import connection

        from agora.ledger import selectors

        statements: list[tuple[str, Any]] = []
        keys: list[int] = []
        original = selectors.node_fetch

        def counting_fetch(wanted: Any) -> Any:
            wanted = set(wanted)
            keys.append(len(wanted))
            return original(wanted)

        def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            statements.append((sql, params))
            return execute(sql, params, many, context)

        selectors.node_fetch = counting_fetch
        try:
            with connection.execute_wrapper(record):
                call()
        finally:
            selectors.node_fetch = original
        # Rows returned by the reads of hashes: the node table and the entries' leaf hashes.
        reads = [
            (sql, params)
            for sql, params in statements
            if sql.lstrip().upper().startswith("SELECT")
            and ("ledger_ledgernode" in sql or "ledger_ledgerentry" in sql)
            and "FOR UPDATE" not in sql.upper()
        ]
        rows = node_rows = 0
        with connection.cursor() as cursor:
            for sql, params in reads:
                cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS counted", params)
                count = cursor.fetchone()[0]
                rows += count
                if "ledger_ledgernode" in sql:
                    node_rows += count
        return {
            "queries": len(statements),
            "node_queries": sum("ledger_ledgernode" in sql for sql, _params in reads),
            "keys": sum(keys),
            "rows": rows,
            "node_rows": node_rows,
        }

    def measure_proofs(self, size: int) -> dict[str, Any]:
        from agora.ledger import selectors

        merkle, args = self.merkle, self.args
        root = self.compact.root()
        indexes = [self.rng.randrange(size) for _ in range(args.proofs)]
        firsts = [self.rng.randrange(1, size) for _ in range(args.proofs)]
        # Warm up the connection and the caches, as a running server would be.
        for index, first in zip(indexes[:10], firsts[:10], strict=True):
            selectors.inclusion_proof(index=index, tree_size=size)
            selectors.consistency_proof(first=first, second=size)

        inclusion_ms, inclusion_hashes = [], []
        for index in indexes:
            started = time.perf_counter()
            proof = selectors.inclusion_proof(index=index, tree_size=size)
            inclusion_ms.append((time.perf_counter() - started) * 1000)
            inclusion_hashes.append(len(proof.proof))
        consistency_ms, consistency_hashes = [], []
        for first in firsts:
            started = time.perf_counter()
            proof = selectors.consistency_proof(first=first, second=size)
            consistency_ms.append((time.perf_counter() - started) * 1000)
            consistency_hashes.append(len(proof.proof))

        # Verify a sample of what was timed, and count its reads (untimed).
        sample = min(args.verify, args.proofs)
        first_roots = self.roots_at(firsts[:sample])
        inclusion_reads, consistency_reads = [], []
        for index, first in zip(indexes[:sample], firsts[:sample], strict=True):
            proofs: list[Any] = []

            def prove_inclusion(index: int = index, proofs: list[Any] = proofs) -> None:
                proofs.append(selectors.inclusion_proof(index=index, tree_size=size))

            def prove_consistency(first: int = first, proofs: list[Any] = proofs) -> None:
                proofs.append(selectors.consistency_proof(first=first, second=size))

            inclusion_reads.append(self.count_reads(prove_inclusion))
            consistency_reads.append(self.count_reads(prove_consistency))
            inclusion, consistency = proofs
            if inclusion.root != root or inclusion.leaf_hash != self.leaves[index]:
                raise AssertionError(f"inclusion proof of {index} at {size}: wrong root or leaf")
            merkle.verify_inclusion(index, size, self.leaves[index], inclusion.proof, root)
            if consistency.first_root != first_roots[first] or consistency.second_root != root:
                raise AssertionError(f"consistency proof {first}→{size}: wrong roots")
            merkle.verify_consistency(first, size, first_roots[first], root, consistency.proof)

        def reads(samples: list[dict[str, int]]) -> dict[str, float]:
            return {key: max(s[key] for s in samples) for key in samples[0]} | {
                f"{key}_mean": sum(s[key] for s in samples) / len(samples) for key in samples[0]
            }

        return {
            "inclusion_ms": summary(inclusion_ms),
            "inclusion_hashes": summary(inclusion_hashes),
            "inclusion_reads": reads(inclusion_reads),
            "consistency_ms": summary(consistency_ms),
            "consistency_hashes": summary(consistency_hashes),
            "consistency_reads": reads(consistency_reads),
            "verified": sample,
        }

    def append_reads(self) -> dict[str, float]:
        """Queries per append, averaged over 64 appends (untimed, one transaction each)."""
        samples = [self.count_reads(self.append) for _ in range(64)]
        return {key: sum(s[key] for s in samples) / len(samples) for key in samples[0]}

    def database_bytes(self) -> int:
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_database_size(current_database())")
                return int(cursor.fetchone()[0])
        name = str(connection.settings_dict["NAME"])
        return sum(os.path.getsize(p) for p in (name, name + "-wal") if os.path.exists(p))

    def server_version(self) -> str:
        from django.db import connection

        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SHOW server_version")
            else:
                cursor.execute("SELECT sqlite_version()")
            return str(cursor.fetchone()[0]).split(" ")[0]

    def run(self) -> dict[str, Any]:
        from agora.ledger.keys import log_signer

        args = self.args
        self.make_people()
        log_signer()  # the key is generated once, before anything is timed
        results: dict[str, Any] = {"database": args.worker, "version": self.server_version()}
        results["sizes"] = rows = []
        for size in args.size_list:
            growth = size - len(self.leaves)
            single = max(1, min(args.single, growth // 2))
            checkpoints = min(args.checkpoints, single)
            bulk = min(args.real, (growth - single) // 2)
            filled = growth - single - bulk
            progress(
                f"{args.worker}: growing to {size:,} ({filled:,} filled, {bulk:,} batched "
                f"+ {single:,} single appends)"
            )
            fill_seconds = self.fill(filled) if filled > 0 else 0.0
            bulk_seconds = self.grow_bulk(bulk) if bulk > 0 else 0.0
            singles = self.grow_single(single, checkpoints)
            progress(f"{args.worker}: {size:,} entries; timing proofs")
            row = {
                "size": size,
                "filled": filled,
                "fill_seconds": fill_seconds,
                "bulk_appends": bulk,
                "bulk_seconds": bulk_seconds,
                "single_appends": single,
                "single_seconds": sum(singles["append_seconds"]),
                "single_ms": summary([s * 1000 for s in singles["append_seconds"]]),
                "checkpoint_ms": summary(singles["checkpoint_ms"]),
                **self.measure_proofs(size),
                "database_bytes": self.database_bytes(),
            }
            rows.append(row)
            progress(
                f"{args.worker}: {size:,}: inclusion p50 {row['inclusion_ms']['p50']:.2f} ms, "
                f"consistency p50 {row['consistency_ms']['p50']:.2f} ms, "
                f"checkpoint p50 {row['checkpoint_ms']['p50']:.2f} ms"
            )
        results["append_reads"] = self.append_reads()
        return results


# The parent: throwaway databases, child processes, tables --------------------------------------


@contextlib.contextmanager
def throwaway_database(kind: str, postgres_url: str) -> Iterator[tuple[str, str]]:
    """(DATABASE_URL, VAR_DIR) of a fresh database, removed afterwards whatever happens."""
    var_dir = tempfile.mkdtemp(prefix="agora-bench-ledger-")
    try:
        if kind == "sqlite":
            yield f"sqlite:///{var_dir}/ledger.sqlite3", var_dir
            return
        import psycopg
        from psycopg import sql

        name = f"agora_bench_ledger_{os.getpid()}_{secrets.token_hex(4)}"
        server = postgres_url.rstrip("/")
        with psycopg.connect(server + "/postgres", autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        progress(f"created PostgreSQL database {name}")
        try:
            yield f"{server}/{name}", var_dir
        finally:
            with psycopg.connect(server + "/postgres", autocommit=True) as admin:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
            progress(f"dropped PostgreSQL database {name}")
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def run_database(kind: str, args: argparse.Namespace, forwarded: list[str]) -> dict[str, Any]:
    with throwaway_database(kind, args.postgres_url) as (url, var_dir):
        result = Path(var_dir) / "result.json"
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            *forwarded,
            "--worker",
            kind,
            "--database-url",
            url,
            "--var-dir",
            var_dir,
            "--result",
            str(result),
        ]
        child = subprocess.Popen(command, cwd=ROOT)
        try:
            code = child.wait()
        finally:
            if child.poll() is None:
                child.terminate()
                try:
                    child.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
        if code != 0:
            raise RuntimeError(f"the {LABELS[kind]} run failed (exit status {code})")
        return json.loads(result.read_text())


def ratio(current: float, previous: float | None) -> str:
    return f"x{current / previous:.2f}" if previous else "-"


def table(results: dict[str, Any], args: argparse.Namespace) -> str:
    rows = results["sizes"]
    lines = [
        f"### {LABELS[results['database']]} {results['version']}",
        "",
        "| size | appends/s batched | appends/s 1 per tx | checkpoint ms p50/p95 | "
        "inclusion ms p50/p95 | inclusion hashes | consistency ms p50/p95 | "
        "consistency hashes |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for number, row in enumerate(rows):
        previous = rows[number - 1] if number else None

        def latency(
            key: str, row: dict[str, Any] = row, previous: dict[str, Any] | None = previous
        ) -> str:
            before = previous[key]["p50"] if previous else None
            return (
                f"{row[key]['p50']:.2f} / {row[key]['p95']:.2f} ({ratio(row[key]['p50'], before)})"
            )

        def hashes(key: str, row: dict[str, Any] = row) -> str:
            stats = row[key]
            return f"{stats['mean']:.1f} (max {stats['max']:.0f}, {32 * stats['max']:.0f} B)"

        batched = (
            f"{row['bulk_appends'] / row['bulk_seconds']:,.0f}" if row["bulk_seconds"] else "-"
        )
        lines.append(
            f"| {row['size']:,} | {batched} | "
            f"{row['single_appends'] / row['single_seconds']:,.0f} | "
            f"{latency('checkpoint_ms')} | {latency('inclusion_ms')} | "
            f"{hashes('inclusion_hashes')} | {latency('consistency_ms')} | "
            f"{hashes('consistency_hashes')} |"
        )
    lines += [
        "",
        "Reads per proof (worst of the verified sample; queries include the tree-size check):",
        "",
        "| size | inclusion: queries / node queries / keys / rows read | "
        "consistency: queries / node queries / keys / rows read | database size |",
        "|---:|---:|---:|---:|",
    ]
    for row in rows:

        def reads(key: str, row: dict[str, Any] = row) -> str:
            r = row[key]
            return (
                f"{r['queries']:.0f} / {r['node_queries']:.0f} / {r['keys']:.0f} / {r['rows']:.0f}"
            )

        lines.append(
            f"| {row['size']:,} | {reads('inclusion_reads')} | {reads('consistency_reads')} | "
            f"{row['database_bytes'] / 2**20:,.0f} MiB |"
        )
    per_append = results["append_reads"]
    lines += [
        "",
        f"Per append (at {rows[-1]['size']:,}): {per_append['queries']:.1f} queries, "
        f"{per_append['keys']:.1f} node keys read, {per_append['rows']:.1f} rows read. "
        f"Proofs: {rows[0]['inclusion_ms']['n']} of each kind timed per size, "
        f"{rows[0]['verified']} of them verified. Appends through ledger_record, before each "
        f"size: batched, up to {args.real:,} with {args.batch} per transaction; then 1 per tx, "
        f"the last {rows[-1]['single_appends']}, each committed alone (checkpoints timed after "
        f"the last {rows[-1]['checkpoint_ms']['n']}). The rest of the log was bulk-filled "
        f"({sum(r['filled'] for r in rows):,} entries in "
        f"{sum(r['fill_seconds'] for r in rows):,.0f} s) with the same rows.",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.worker:
        worker(args)
        return 0
    # SIGTERM unwinds like Ctrl-C, so that the throwaway databases are still dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    progress(
        f"sizes {', '.join(f'{s:,}' for s in args.size_list)} on {', '.join(args.database_list)}"
        f" — {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    forwarded = [
        f"--{name.replace('_', '-')}={getattr(args, name)}"
        for name in ("sizes", "real", "batch", "single", "checkpoints", "proofs", "verify", "seed")
    ]
    failed, collected = 0, []
    for kind in args.database_list:
        started = time.perf_counter()
        try:
            results = run_database(kind, args, forwarded)
        except Exception as exc:
            failed += 1
            print(f"\n{LABELS[kind]}: FAILED — {exc}", flush=True)
            continue
        results["seconds"] = time.perf_counter() - started
        collected.append(results)
        print("\n" + table(results, args), flush=True)
        progress(f"{kind}: done in {results['seconds']:,.0f} s")
    if args.json:
        args.json.write_text(json.dumps(collected, indent=1))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
