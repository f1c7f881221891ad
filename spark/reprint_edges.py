#!/usr/bin/env python3
"""The distributed steps of a reprint run, as SQL on Apache Spark or DuckDB.

`reprint sign` writes Parquet tables per shard; this job does the two steps that need every
shard at once, the only shuffles of the pipeline (docs/scale-out.md):

  furniture SIGDIR        after `reprint sign --lines` on every shard: judges which lines are
                          page furniture at which outlet (the scan's rule, src/furniture.rs),
                          into SIGDIR/furniture/ (outlet, line), which the second signing
                          pass reads.
  edges SIGDIR EDGES      after `reprint sign` on every shard: candidate pairs from shared
                          band keys and shared anchors among the representatives of distinct
                          shingle sets (src/lsh.rs), into EDGES/pairs/ (a, b, band, anchor as
                          `ord`s) and the candidate stage's counts into EDGES/stats/.

Then `reprint cluster --sigs SIGDIR --edges EDGES -o OUT` verifies and clusters.

The same SQL runs on both engines:
  spark-submit spark/reprint_edges.py edges s3a://bucket/sigs s3a://bucket/edges
  python3 spark/reprint_edges.py --engine duckdb edges sigs edges

On Spark, paths may be anything Spark reads (s3a://, gs://, hdfs://); `--master` and other
settings come from spark-submit, or `--master local[2]` here for one machine.
"""

import argparse
import os
import shutil
import sys
import tempfile

# The rules' constants, as src/furniture.rs and src/lsh.rs name them (a test checks that
# they agree).
MIN_RECURRENCE = 3
SYNDICATION_SPAN_DAYS = 7
SHORT_LINE_WORDS = 10
BURST_RECURRENCE = 10
MAX_ANCHOR_DOCS = 256
TEMPLATE_MIN_DOCS = 10

# A line's recurrence is counted once per distinct document: a document whose lines are
# those of an earlier one (same `doc_lines`) is left out, as `furniture::judge` does. Then per
# line and outlet, and per line over all outlets, the documents, the dated ones and the span
# of their days decide (see `Spread` in src/furniture.rs).
FURNITURE_SQL = f"""
WITH firsts AS (
    SELECT doc_lines, MIN(ord) AS ord FROM lines GROUP BY doc_lines
),
kept AS (
    SELECT l.line, l.outlet, l.day, l.words FROM lines l JOIN firsts f ON l.ord = f.ord
),
per_outlet AS (
    SELECT line, outlet, COUNT(*) AS docs, COUNT(day) AS dated,
           MIN(day) AS first_day, MAX(day) AS last_day, MIN(words) AS words
    FROM kept GROUP BY line, outlet
),
per_line AS (
    SELECT line, SUM(docs) AS docs, SUM(dated) AS dated, MIN(first_day) AS first_day,
           MAX(last_day) AS last_day, COUNT(*) AS outlets, MIN(words) AS words
    FROM per_outlet GROUP BY line
    HAVING SUM(docs) >= {MIN_RECURRENCE}
)
SELECT o.outlet AS outlet, o.line AS line
FROM per_outlet o JOIN per_line a ON o.line = a.line
WHERE (a.outlets >= {MIN_RECURRENCE}
       AND ((a.dated >= 2 AND a.last_day - a.first_day > {SYNDICATION_SPAN_DAYS})
            OR (a.words <= {SHORT_LINE_WORDS} AND a.dated = 0 AND a.docs >= {BURST_RECURRENCE})))
   OR (o.docs >= {MIN_RECURRENCE}
       AND ((o.dated >= 2 AND o.last_day - o.first_day > {SYNDICATION_SPAN_DAYS})
            OR (a.words <= {SHORT_LINE_WORDS} AND (o.dated = 0 OR o.docs >= {BURST_RECURRENCE}))))
ORDER BY line, outlet
"""

# Representatives: the first document (in input order) of each distinct shingle set; only
# they make candidates, as in a scan. Anchors shared by more than MAX_ANCHOR_DOCS of them, or
# by TEMPLATE_MIN_DOCS dated ones spread over more than a week, make no pairs.
EDGES_VIEWS = {
    "reps": """
        SELECT MIN(ord) AS ord FROM documents WHERE shingles > 0 GROUP BY content
    """,
    "rep_bands": """
        SELECT b.ord AS ord, b.band AS band, b.key AS key FROM bands b JOIN reps r ON b.ord = r.ord
    """,
    "band_hits": """
        SELECT x.ord AS a, y.ord AS b FROM rep_bands x JOIN rep_bands y
        ON x.band = y.band AND x.key = y.key AND x.ord < y.ord
    """,
    "rep_anchors": """
        SELECT a.ord AS ord, a.anchor AS anchor, d.day AS day
        FROM anchors a JOIN reps r ON a.ord = r.ord JOIN documents d ON d.ord = a.ord
    """,
    "anchor_fates": f"""
        SELECT anchor,
               CASE WHEN COUNT(*) > {MAX_ANCHOR_DOCS} THEN 'crowded'
                    WHEN COUNT(*) >= {TEMPLATE_MIN_DOCS} AND COUNT(day) >= {TEMPLATE_MIN_DOCS}
                         AND MAX(day) - MIN(day) > {SYNDICATION_SPAN_DAYS} THEN 'template'
                    ELSE 'pairs' END AS fate
        FROM rep_anchors GROUP BY anchor HAVING COUNT(*) > 1
    """,
    "band_pairs": "SELECT DISTINCT a, b FROM band_hits",
    "anchor_pairs": """
        SELECT DISTINCT x.ord AS a, y.ord AS b
        FROM rep_anchors x JOIN anchor_fates f ON x.anchor = f.anchor AND f.fate = 'pairs'
        JOIN rep_anchors y ON y.anchor = x.anchor AND x.ord < y.ord
    """,
}

PAIRS_SQL = """
SELECT a, b, MAX(from_band) = 1 AS band, MAX(from_anchor) = 1 AS anchor
FROM (SELECT a, b, 1 AS from_band, 0 AS from_anchor FROM band_pairs
      UNION ALL
      SELECT a, b, 0 AS from_band, 1 AS from_anchor FROM anchor_pairs) t
GROUP BY a, b
ORDER BY a, b
"""

# The counts the scan's candidate stage reports (run.json): `band_collisions` counts every
# pair every band produced, before repeats are removed.
STATS_SQL = """
SELECT
  (SELECT COUNT(*) FROM band_hits) AS band_collisions,
  (SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n FROM rep_bands GROUP BY band, key) t)
      AS largest_bucket,
  (SELECT COUNT(*) FROM band_pairs) AS lsh_pairs,
  (SELECT COUNT(*) FROM anchor_pairs) AS anchor_pairs,
  (SELECT COUNT(*) FROM anchor_fates WHERE fate = 'crowded') AS crowded_anchors,
  (SELECT COUNT(*) FROM anchor_fates WHERE fate = 'template') AS template_anchors
"""


class Spark:
    """Runs the SQL on Spark: tables and outputs are directories of Parquet files."""

    def __init__(self, master):
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            sys.exit("reprint_edges: pyspark is not installed (pip install pyspark), or use --engine duckdb")
        builder = SparkSession.builder.appName("reprint-edges")
        if master:
            # One machine: no UI, bound to loopback, few shuffle partitions.
            builder = (
                builder.master(master)
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "8")
            )
        self.spark = builder.config("spark.sql.session.timeZone", "UTC").getOrCreate()
        self.spark.sparkContext.setLogLevel("ERROR")

    def table(self, name, path):
        self.spark.read.parquet(path).createOrReplaceTempView(name)

    def view(self, name, sql):
        # Cached: the candidate views are read by the pairs and by the counts.
        self.spark.sql(sql).cache().createOrReplaceTempView(name)

    def write(self, sql, path, one_file):
        df = self.spark.sql(sql)
        if one_file:
            df = df.coalesce(1)
        df.write.mode("overwrite").parquet(path)

    def close(self):
        self.spark.stop()


class DuckDB:
    """Runs the same SQL on DuckDB, for one large machine: each output one Parquet file."""

    def __init__(self):
        try:
            import duckdb
        except ImportError:
            sys.exit("reprint_edges: duckdb is not installed (pip install duckdb)")
        self.con = duckdb.connect()

    def table(self, name, path):
        files = os.path.join(path, "**", "*.parquet")
        self.con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM read_parquet('{files}')")

    def view(self, name, sql):
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")

    def write(self, sql, path, one_file):
        # Written beside the output and renamed into place: all old or all new.
        parent = os.path.dirname(os.path.abspath(path))
        os.makedirs(parent, exist_ok=True)
        staging = tempfile.mkdtemp(prefix=".reprint-staging-", dir=parent)
        try:
            target = os.path.join(staging, "part-00000.parquet")
            self.con.execute(f"COPY ({sql}) TO '{target}' (FORMAT parquet, COMPRESSION zstd)")
            if os.path.isdir(path):
                shutil.rmtree(path)
            os.rename(staging, path)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

    def close(self):
        self.con.close()


def furniture(engine, sigdir):
    engine.table("lines", sigdir.rstrip("/") + "/lines")
    engine.write(FURNITURE_SQL, sigdir.rstrip("/") + "/furniture", one_file=True)


def edges(engine, sigdir, out):
    sigdir, out = sigdir.rstrip("/"), out.rstrip("/")
    for name in ("documents", "bands", "anchors"):
        engine.table(name, f"{sigdir}/{name}")
    for name, sql in EDGES_VIEWS.items():
        engine.view(name, sql)
    engine.write(PAIRS_SQL, f"{out}/pairs", one_file=False)
    engine.write(STATS_SQL, f"{out}/stats", one_file=True)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--engine", choices=["spark", "duckdb"], default="spark")
    p.add_argument("--master", help="Spark master for a run outside spark-submit, e.g. local[2]")
    sub = p.add_subparsers(dest="step", required=True)
    f = sub.add_parser("furniture", help="judge page furniture over every shard's lines")
    f.add_argument("sigdir")
    e = sub.add_parser("edges", help="candidate pairs from band keys and anchors")
    e.add_argument("sigdir")
    e.add_argument("out")
    args = p.parse_args(argv)
    engine = Spark(args.master) if args.engine == "spark" else DuckDB()
    try:
        if args.step == "furniture":
            furniture(engine, args.sigdir)
        else:
            edges(engine, args.sigdir, args.out)
    finally:
        engine.close()


if __name__ == "__main__":
    main()
