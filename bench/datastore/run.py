"""Data API benchmark: Agora against Datasette, on the same CSV files, in one run.

    .venv/bin/python bench/datastore/run.py [--rows 1000000] [--repeat 30] [--skip-real]

For a reproducible generated table (`--rows` rows, 12 columns) and the largest real CSV in
../shared/data/opendata, it:

- loads the file into Agora (upload + reading into a typed DuckDB and Parquet table, timed in a
  child process whose peak memory is read from the kernel), and into Datasette's SQLite with
  `sqlite-utils insert --csv` (which detects types) then `sqlite-utils enable-fts` on the text
  columns (both installed by this benchmark in their own virtualenv under var/bench/);
- serves each (`agora serve`: gunicorn, 1 worker; `datasette serve`) on loopback and times
  each query over HTTP with a kept-alive connection: p50 and p95 of `--repeat` runs after two
  warm-up runs;
- runs the same query in-process in DuckDB on the table's Parquet file: the engine's own time;
- checks that Agora, Datasette and DuckDB return the same rows (or counts);
- measures the memory of the Agora worker around a whole-table CSV export.

Results are printed as tables with ratios; docs/benchmarks.md keeps the latest.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402

WORK = ROOT / "var" / "bench" / "datastore"
PEERS = ROOT / "var" / "bench" / "peers"
OPENDATA = ROOT.parent / "shared" / "data" / "opendata"
PEER_PACKAGES = ["datasette>=0.65", "sqlite-utils>=3.38"]


def progress(message: str) -> None:
    print(f"[datastore {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(port: int, path: str = "/", seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            if conn.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"nothing answers on port {port}")


def peers() -> Path:
    """A virtualenv with Datasette and sqlite-utils, made once."""
    python = PEERS / "bin" / "python"
    if not python.exists():
        progress("installing Datasette and sqlite-utils in var/bench/peers")
        subprocess.check_call([sys.executable, "-m", "venv", str(PEERS)])
        subprocess.check_call([str(python), "-m", "pip", "install", "--quiet", *PEER_PACKAGES])
    return PEERS / "bin"


WRAPPER = (
    "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
    "sys.exit(done.returncode)"
)


def measured(command: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """(seconds, peak RSS in MB, stdout) of a command run to completion; the peak is read by a
    fresh interpreter that runs only this command, so earlier commands do not count."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *command],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed: {done.stderr[-2000:]}")
    peak_kb = int(done.stderr.strip().splitlines()[-1])
    return seconds, peak_kb // 1024, done.stdout


class Client:
    """One kept-alive connection; reopened when the server closed it while idle."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

    def get(self, path: str) -> bytes:
        try:
            self.conn.request("GET", path)
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
            self.conn.request("GET", path)
            response = self.conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{path}: {response.status} {body[:300]!r}")
        return body


def timed(call: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    for _ in range(2):
        result = call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, result


@dataclass
class Case:
    name: str
    agora: Callable[[Client], Any]
    datasette: Callable[[Client], Any]
    duckdb: Callable[[Any], Any]
    target: str  # "20x" or "fts"


def q(params: dict[str, Any]) -> str:
    return urllib.parse.urlencode(params)


def cases(
    slug: str, resource_id: str, parquet: str, columns: dict[str, str], generated: bool
) -> list[Case]:
    api = f"/api/v1/datasets/{slug}/resources/{resource_id}/data"
    table = "/bench/data.json"
    pq = f"read_parquet('{parquet}')"
    if generated:
        eq_col, eq_val, num, _text_col, words = (
            "categorie",
            "Travaux",
            "montant",
            "objet",
            "chauffage toiture",
        )
        low, high = 1000, 5000
        facets, group, agg = ["categorie", "statut"], "categorie", "montant"
    else:
        eq_col, eq_val, num, _text_col, words = (
            "Nom_commune",
            "PARIS 01",
            None,
            "Nom_commune",
            "saint jean",
        )
        low = high = 0
        facets, group, agg = ["Libellé_d_acheminement", "Code_postal"], "Code_postal", None
    text_columns = [n for n, t in columns.items() if t == "string"]

    def rows(body: bytes, key: str = "rows") -> list[dict[str, Any]]:
        return json.loads(body)[key]

    found: list[Case] = []
    first = next(iter(columns))
    found.append(
        Case(
            "equality filter",
            lambda c: [r[first] for r in rows(c.get(f"{api}?{q({eq_col: eq_val, 'limit': 100})}"))],
            lambda c: [
                r[first]
                for r in json.loads(
                    c.get(f"{table}?{q({eq_col: eq_val, '_size': 100, '_shape': 'objects'})}")
                )["rows"]
            ],
            lambda con: [
                r[0]
                for r in con.execute(
                    f'SELECT * FROM {pq} WHERE "{eq_col}" = ? LIMIT 100', [eq_val]
                ).fetchall()
            ],
            "20x",
        )
    )
    if num:

        def agora_page2(c: Client) -> list[float]:
            first = json.loads(
                c.get(
                    f"{api}?{q({num + '__gte': low, num + '__lt': high, 'sort': '-' + num, 'limit': 100})}"
                )
            )
            second = json.loads(
                c.get(
                    f"{api}?{q({num + '__gte': low, num + '__lt': high, 'sort': '-' + num, 'limit': 100, 'cursor': first['next_cursor']})}"
                )
            )
            return [r[num] for r in second["rows"]]

        def datasette_page2(c: Client) -> list[float]:
            first = json.loads(
                c.get(
                    f"{table}?{q({num + '__gte': low, num + '__lt': high, '_sort_desc': num, '_size': 100, '_shape': 'objects'})}"
                )
            )
            second = json.loads(
                c.get(
                    f"{table}?{q({num + '__gte': low, num + '__lt': high, '_sort_desc': num, '_size': 100, '_shape': 'objects', '_next': first['next']})}"
                )
            )
            return [r[num] for r in second["rows"]]

        found.append(
            Case(
                "range + sort, page 2 by cursor",
                agora_page2,
                datasette_page2,
                lambda con: [
                    r[0]
                    for r in con.execute(
                        f'SELECT "{num}", * FROM {pq} WHERE "{num}" >= ? AND "{num}" < ? ORDER BY "{num}" DESC LIMIT 100 OFFSET 100',
                        [low, high],
                    ).fetchall()
                ],
                "20x",
            )
        )
    found.append(
        Case(
            "full-text search (count)",
            lambda c: json.loads(c.get(f"{api}?{q({'q': words, 'limit': 10})}"))["total"],
            lambda c: json.loads(
                c.get(f"{table}?{q({'_search': words, '_size': 10, '_shape': 'objects'})}")
            )["filtered_table_rows_count"],
            # No index in a Parquet file: the same word rules, by scanning every text value.
            lambda con: con.execute(
                f"SELECT count(*) FROM {pq} WHERE "
                + " AND ".join(
                    "("
                    + " OR ".join(
                        f'regexp_matches(lower(strip_accents("{c}")), ?)' for c in text_columns
                    )
                    + ")"
                    for _w in words.split()
                ),
                [
                    f"(^|[^\\pL\\pN]){w}($|[^\\pL\\pN])"
                    for w in words.split()
                    for _c in text_columns
                ],
            ).fetchone()[0],
            "fts",
        )
    )
    agora_group = {"group_by": group, "sort": group, "limit": 10000}
    sql = (
        f'SELECT "{group}", count(*)'
        + (f', sum("{agg}")' if agg else "")
        + " FROM data GROUP BY 1 ORDER BY 1"
    )
    if agg:
        agora_group["sum"] = agg
    found.append(
        Case(
            "group-by aggregate",
            lambda c: [r["count"] for r in rows(c.get(f"{api}?{q(agora_group)}"))],
            lambda c: [
                r["count(*)"]
                for r in json.loads(
                    c.get(f"/bench.json?{q({'sql': sql, '_shape': 'objects', '_size': 'max'})}")
                )["rows"]
            ],
            lambda con: [
                r[1] for r in con.execute(sql.replace("FROM data", f"FROM {pq}")).fetchall()
            ],
            "20x",
        )
    )
    found.append(
        Case(
            "facets on two columns",
            lambda c: sorted(
                f["count"]
                for f in json.loads(c.get(f"{api}?{q({'facet': ','.join(facets), 'limit': 0})}"))[
                    "facets"
                ][facets[0]]
            ),
            lambda c: sorted(
                f["count"]
                for f in json.loads(
                    c.get(
                        f"{table}?"
                        + "&".join(
                            [f"_facet={urllib.parse.quote(f)}" for f in facets]
                            + ["_size=0", "_facet_size=10"]
                        )
                    )
                )["facet_results"][facets[0]]["results"]
            ),
            lambda con: facet_counts(con, pq, facets),
            "20x",
        )
    )
    found.append(
        Case(
            "CSV export, 100 000 rows",
            lambda c: c.get(f"{api}?{q({'format': 'csv', 'limit': 100000})}").count(b"\n") - 1,
            lambda c: (
                c.get(
                    f"/bench.csv?{q({'sql': 'SELECT * FROM data LIMIT 100000', '_size': 'max'})}"
                ).count(b"\n")
                - 1
            ),
            lambda con: len(con.execute(f"SELECT * FROM {pq} LIMIT 100000").fetchall()),
            "20x",
        )
    )
    return found


def facet_counts(con: Any, pq: str, facets: list[str]) -> list[int]:
    """Top-ten counts of every facet, as Agora computes them; the first facet's to compare."""
    counts = [
        sorted(
            r[0]
            for r in con.execute(
                f'SELECT count(*) AS n FROM {pq} GROUP BY "{f}" ORDER BY n DESC LIMIT 10'
            ).fetchall()
        )
        for f in facets
    ]
    return counts[0]


def vm_hwm(pid: int) -> int:
    """Peak resident memory of a process, in MB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return 0


def gunicorn_worker(parent: int) -> int:
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    return int(children[0]) if children else parent


def engine_read(source: Path, work: Path) -> float:
    """DuckDB's own CSV reading with type detection over the whole file into a table file,
    with the threads Agora uses: the least any ingestion built on it can take."""
    import duckdb

    path = work / "engine.duckdb"
    con = duckdb.connect(str(path))
    try:
        con.execute(f"SET threads = {int(os.environ.get('DATASTORE_THREADS', '2'))}")
        started = time.perf_counter()
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{source}', sample_size = -1)")
        return time.perf_counter() - started
    finally:
        con.close()
        path.unlink(missing_ok=True)


def run_one(
    label: str, source: Path, generated: bool, args: argparse.Namespace, bin_dir: Path
) -> dict[str, Any]:
    import duckdb

    work = WORK / label
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = {
        **os.environ,
        "VAR_DIR": str(work / "agora"),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_hex(32),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "API_RATE_LIMIT_ANONYMOUS": "10000000/minute",
        # Every request counts its rows again, as a first request would: no remembered counts.
        "DATASTORE_COUNT_CACHE": "0",
        "DJANGO_SETTINGS_MODULE": "agora.settings",
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    progress(f"{label}: reading {source.name} into Agora")
    _seconds, _peak, out = measured(
        [sys.executable, str(HERE / "agora_setup.py"), str(source), label], env
    )
    agora = json.loads(out.strip().splitlines()[-1])
    if agora["status"] != "done":
        raise RuntimeError(f"Agora could not read {source}: {agora['message']}")
    agora_ingest = agora["seconds"]
    progress(f"{label}: DuckDB read_csv alone, the engine's floor")
    engine_ingest = engine_read(source, work)
    progress(f"{label}: sqlite-utils insert --csv, enable-fts")
    db = work / "bench.db"
    sep = ["--delimiter", ";"] if not generated else []
    insert_s, insert_mb, _out = measured(
        [str(bin_dir / "sqlite-utils"), "insert", str(db), "data", str(source), "--csv", *sep]
    )
    text_columns = [c["name"] for c in agora["columns"] if c["type"] == "string"]
    fts_s, fts_mb, _out = measured(
        [str(bin_dir / "sqlite-utils"), "enable-fts", str(db), "data", *text_columns]
    )

    agora_port, datasette_port = free_port(), free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "agora.cli",
            "serve",
            "--port",
            str(agora_port),
            "--workers",
            "1",
            "--threads",
            "2",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    peer = subprocess.Popen(
        [
            str(bin_dir / "datasette"),
            "serve",
            str(db),
            "-p",
            str(datasette_port),
            "--setting",
            "sql_time_limit_ms",
            "120000",
            "--setting",
            "max_returned_rows",
            "100000",
            "--setting",
            "facet_time_limit_ms",
            "120000",
            "--setting",
            "num_sql_threads",
            "2",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(agora_port, "/readyz")
        wait_for(datasette_port, "/-/versions.json")
        a, d = Client(agora_port), Client(datasette_port)
        con = duckdb.connect()
        columns = {c["name"]: c["type"] for c in agora["columns"]}
        results = []
        for case in cases(agora["slug"], agora["resource"], agora["parquet"], columns, generated):
            progress(f"{label}: {case.name}")
            repeat = max(3, args.repeat // 5) if "export" in case.name else args.repeat
            a50, a95, ar = timed(lambda case=case: case.agora(a), repeat)
            d50, d95, dr = timed(lambda case=case: case.datasette(d), repeat)
            k50, _k95, kr = timed(lambda case=case: case.duckdb(con), repeat)
            results.append(
                {
                    "name": case.name,
                    "agora": (a50, a95),
                    "datasette": (d50, d95),
                    "duckdb": k50,
                    "same": ar == dr == kr,
                    "values": (ar, dr, kr) if not ar == dr == kr else None,
                    "target": case.target,
                }
            )
        worker = gunicorn_worker(server.pid)
        before = vm_hwm(worker)
        started = time.perf_counter()
        exported = (
            a.get(
                f"/api/v1/datasets/{agora['slug']}/resources/{agora['resource']}/data?format=csv"
            ).count(b"\n")
            - 1
        )
        export_s = time.perf_counter() - started
        after = vm_hwm(worker)
    finally:
        server.terminate()
        peer.terminate()
        server.wait(30)
        peer.wait(30)
    return {
        "label": label,
        "file": source.name,
        "rows": agora["rows"],
        "size_mb": source.stat().st_size / 1024**2,
        "agora_ingest": agora_ingest,
        "agora_ingest_mb": agora["maxrss_kb"] // 1024,
        "engine_ingest": engine_ingest,
        "sqlite_ingest": insert_s + fts_s,
        "sqlite_ingest_mb": max(insert_mb, fts_mb),
        "queries": results,
        "targets": generated,  # the targets are set for the 10⁶-row generated table
        "export": {"rows": exported, "seconds": export_s, "hwm_before": before, "hwm_after": after},
    }


def report(result: dict[str, Any]) -> None:
    def judge(met: bool) -> str:
        if not result["targets"]:
            return "— (set at 10⁶ rows)"
        return "met" if met else "NOT met"

    print(f"\n## {result['file']} — {result['rows']:,} rows, {result['size_mb']:.1f} MB\n")
    ratio = result["sqlite_ingest"] / result["agora_ingest"]
    print("| ingest | Agora | sqlite-utils + FTS | ratio | target ≥ 30× |")
    print("|---|---|---|---|---|")
    print(
        f"| time | {result['agora_ingest']:.2f} s | {result['sqlite_ingest']:.2f} s | {ratio:.1f}× | {judge(ratio >= 30)} |"
    )
    print(f"| peak memory | {result['agora_ingest_mb']} MB | {result['sqlite_ingest_mb']} MB | | |")
    floor = result["engine_ingest"]
    print(
        f"| DuckDB `read_csv` alone (typed table, no index, profile or Parquet) | {floor:.2f} s | | {result['sqlite_ingest'] / floor:.1f}× | |"
    )
    print(
        "\n| query | Agora p50 / p95 (ms) | Datasette p50 / p95 (ms) | Datasette ÷ Agora | DuckDB direct p50 (ms) | Agora ÷ (1.5 × direct + 5 ms) | same result | targets |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for q_ in result["queries"]:
        a50, a95 = q_["agora"]
        d50, d95 = q_["datasette"]
        speed = d50 / a50
        overhead = a50 / (1.5 * q_["duckdb"] + 5)
        peer_ok = speed >= 1 if q_["target"] == "fts" else speed >= 20
        verdict = judge(peer_ok and overhead <= 1)
        print(
            f"| {q_['name']} | {a50:.1f} / {a95:.1f} | {d50:.1f} / {d95:.1f} | {speed:.1f}× | {q_['duckdb']:.1f} | {overhead:.2f} | {'yes' if q_['same'] else 'NO'} | {verdict} |"
        )
        if q_["values"] is not None:
            print(
                f"|  ↳ differing results | {str(q_['values'][0])[:60]} | {str(q_['values'][1])[:60]} | | {str(q_['values'][2])[:60]} | | | |"
            )
    e = result["export"]
    print(
        f"\nWhole-table CSV export: {e['rows']:,} rows in {e['seconds']:.1f} s; the Agora worker's peak memory went from {e['hwm_before']} MB to {e['hwm_after']} MB."
    )


def run_big(rows: int) -> None:
    """Reads a generated CSV of about 1 GB into Agora alone and reports the reading's peak
    memory: the whole process, Django included, as the kernel counts it."""
    source = WORK / f"generated-{rows}.csv"
    if not source.exists():
        progress(f"generating {rows:,} rows")
        generate(source, rows)
    work = WORK / "big"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = {
        **os.environ,
        "VAR_DIR": str(work),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_hex(32),
        "DJANGO_SETTINGS_MODULE": "agora.settings",
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    progress(f"big: reading {source.name} into Agora")
    _seconds, peak, out = measured(
        [sys.executable, str(HERE / "agora_setup.py"), str(source), "big"], env
    )
    agora = json.loads(out.strip().splitlines()[-1])
    shutil.rmtree(work, ignore_errors=True)
    size = source.stat().st_size / 1024**2
    print(
        f"\n## Memory with a large file: {source.name} — {agora['rows']:,} rows, {size:,.0f} MB\n"
    )
    print("| reading | status | time | peak memory of the process | target < 1 GB |")
    print("|---|---|---|---|---|")
    print(
        f"| Agora | {agora['status']} | {agora['seconds']:.1f} s | {peak} MB | {'met' if peak < 1024 else 'NOT met'} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--skip-real", action="store_true")
    parser.add_argument(
        "--big-rows",
        type=int,
        default=7_000_000,
        help="rows of the file of about 1 GB (1 000 MiB) whose reading's memory is measured (0: skip)",
    )
    args = parser.parse_args()
    bin_dir = peers()
    WORK.mkdir(parents=True, exist_ok=True)
    generated = WORK / f"generated-{args.rows}.csv"
    if not generated.exists():
        progress(f"generating {args.rows:,} rows")
        generate(generated, args.rows)
    files = [("generated", generated, True)]
    real = (
        sorted(OPENDATA.rglob("*.csv"), key=lambda p: p.stat().st_size) if OPENDATA.is_dir() else []
    )
    if real and not args.skip_real:
        files.append(("real", real[-1], False))
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; {time.strftime('%Y-%m-%d')}"
    )
    for label, path, is_generated in files:
        report(run_one(label, path, is_generated, args, bin_dir))
    if args.big_rows:
        run_big(args.big_rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
