#!/usr/bin/env python3
"""The distributed steps of a reprint run, as SQL on Apache Spark or DuckDB.

`reprint sign` writes Parquet tables per shard; this job does the two steps that need every
shard at once, the only shuffles of the pipeline (docs/scale-out.md):

  furniture SIGDIR [--batch B]
        after `reprint sign --lines` on every shard: judges which lines are page furniture at
        which outlet (the scan's rule, src/text/furniture.rs) over batches 0..B, into
        SIGDIR/furniture/batch-B/ (outlet, line), which the second signing pass reads.
  edges SIGDIR EDGES [--batch B [--previous EDGES_OF_B-1]]
        after `reprint sign` on every shard: candidate pairs from shared band keys and shared
        anchors among the representatives of distinct shingle sets (src/sketch/lsh.rs), into
        EDGES/pairs/ (a, b, band, anchor as `ord`s), the documents of large buckets into
        EDGES/large/ (route, band, key, ord), and the candidate stage's counts into
        EDGES/stats/. With --previous, only pairs with a document of batch B are searched and
        the earlier pairs carried over.

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

# The rules' constants, as src/text/furniture.rs and src/sketch/lsh.rs name them (a test checks that
# they agree).
MIN_RECURRENCE = 3
SYNDICATION_SPAN_DAYS = 7
SHORT_LINE_WORDS = 10
BURST_RECURRENCE = 10
MAX_ANCHOR_DOCS = 256
TEMPLATE_MIN_DOCS = 10
BUCKET_ALL_PAIRS = 8

# A line's recurrence is counted once per distinct document: a document whose lines are
# those of an earlier one (same `doc_lines`) is left out, as `furniture::judge` does. Then per
# line and outlet, and per line over all outlets, the documents, the dated ones and the span
# of their days decide (see `Spread` in src/text/furniture.rs).
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

# `ord` packs batch, file and line (src/jobs/shard.rs); documents of batch B and earlier have
# ord < (B + 1) * BATCH_ORDS.
BATCH_ORDS = 1 << 52

# Representatives: the first document (in input order) of each distinct shingle set; only
# they make candidates, as in a scan. Anchors shared by more than MAX_ANCHOR_DOCS of them, or
# by TEMPLATE_MIN_DOCS dated ones spread over more than a week, make no pairs.
#
# Incremental (`--previous`): documents from `{new}` on are the new batch. Only pairs with a
# new document are searched (the new band keys and anchors joined against all), anchors'
# fates are counted over every batch, and the previous pairs are carried over, less the
# anchor support of old pairs whose only shared anchors the new documents made crowded or
# template (fates only ever move that way). Without `--previous`, `{new}` is 0: everything
# is new, and this is the whole computation.
#
# Buckets (documents sharing a band key, or an anchor that makes pairs) of more than
# BUCKET_ALL_PAIRS documents are *large*: they make no pairs here; their documents go to
# EDGES/large/ (route 0 with band and key, route 1 with the anchor as key), and `reprint
# cluster` links them after verification, as a scan does. Large buckets are found over every
# batch each time; a bucket that grows large drops the pairs it gave before, unless a bucket
# that is still small gives them too (as with an anchor that turns crowded).
def fate(n="COUNT(*)", dated="COUNT(day)", span="MAX(day) - MIN(day)"):
    return f"""CASE WHEN {n} > {MAX_ANCHOR_DOCS} THEN 'crowded'
                    WHEN {n} >= {TEMPLATE_MIN_DOCS} AND {dated} >= {TEMPLATE_MIN_DOCS}
                         AND {span} > {SYNDICATION_SPAN_DAYS} THEN 'template'
                    WHEN {n} > {BUCKET_ALL_PAIRS} THEN 'large'
                    ELSE 'pairs' END"""


EDGES_VIEWS = {
    "reps": """
        SELECT MIN(ord) AS ord FROM documents WHERE shingles > 0 AND ord < {limit} GROUP BY content
    """,
    "rep_bands": """
        SELECT b.ord AS ord, b.band AS band, b.key AS key FROM bands b JOIN reps r ON b.ord = r.ord
    """,
    "new_bands": "SELECT ord, band, key FROM rep_bands WHERE ord >= {new}",
    "bucket_sizes": "SELECT band, key, COUNT(*) AS n FROM rep_bands GROUP BY band, key",
    "band_hits": """
        SELECT x.ord AS a, y.ord AS b FROM rep_bands x JOIN new_bands y
        ON x.band = y.band AND x.key = y.key AND x.ord < y.ord
        JOIN bucket_sizes s ON s.band = y.band AND s.key = y.key AND s.n <= {all_pairs}
    """,
    # Buckets the new documents made large, the earlier pairs they gave, and of those the
    # pairs a bucket that is still small gives too.
    "grown_buckets": """
        SELECT s.band AS band, s.key AS key FROM bucket_sizes s JOIN
        (SELECT band, key, COUNT(*) AS n FROM rep_bands WHERE ord < {new} GROUP BY band, key) p
        ON s.band = p.band AND s.key = p.key
        WHERE p.n > 1 AND p.n <= {all_pairs} AND s.n > {all_pairs}
    """,
    "grown_pairs": """
        SELECT DISTINCT x.ord AS a, y.ord AS b
        FROM grown_buckets g JOIN rep_bands x ON x.band = g.band AND x.key = g.key
        JOIN rep_bands y ON y.band = g.band AND y.key = g.key AND x.ord < y.ord AND y.ord < {new}
    """,
    "band_still": """
        SELECT DISTINCT p.a AS a, p.b AS b
        FROM grown_pairs p JOIN rep_bands x ON x.ord = p.a
        JOIN rep_bands y ON y.ord = p.b AND y.band = x.band AND y.key = x.key
        JOIN bucket_sizes s ON s.band = x.band AND s.key = x.key AND s.n <= {all_pairs}
    """,
    "touched_buckets": """
        SELECT COUNT(*) AS n FROM rep_bands x JOIN (SELECT DISTINCT band, key FROM new_bands) k
        ON x.band = k.band AND x.key = k.key GROUP BY x.band, x.key
    """,
    "rep_anchors": """
        SELECT a.ord AS ord, a.anchor AS anchor, d.day AS day
        FROM anchors a JOIN reps r ON a.ord = r.ord JOIN documents d ON d.ord = a.ord
    """,
    "touched": "SELECT DISTINCT anchor FROM rep_anchors WHERE ord >= {new}",
    "fates_now": """
        SELECT x.anchor AS anchor, """ + fate() + """ AS fate
        FROM rep_anchors x JOIN touched t ON x.anchor = t.anchor
        GROUP BY x.anchor HAVING COUNT(*) > 1
    """,
    "fates_before": """
        SELECT x.anchor AS anchor, """ + fate() + """ AS fate
        FROM rep_anchors x JOIN touched t ON x.anchor = t.anchor WHERE x.ord < {new}
        GROUP BY x.anchor HAVING COUNT(*) > 1
    """,
    "band_pairs": "SELECT DISTINCT a, b FROM band_hits",
    "anchor_pairs": """
        SELECT DISTINCT x.ord AS a, y.ord AS b
        FROM rep_anchors x JOIN fates_now f ON x.anchor = f.anchor AND f.fate = 'pairs'
        JOIN rep_anchors y ON y.anchor = x.anchor AND x.ord < y.ord AND y.ord >= {new}
    """,
    # Old pairs that shared an anchor whose fate the new documents changed, and of those the
    # ones still sharing an anchor that makes pairs.
    "changed_pairs": """
        SELECT DISTINCT x.ord AS a, y.ord AS b
        FROM fates_before o JOIN fates_now f ON o.anchor = f.anchor AND o.fate = 'pairs' AND f.fate <> 'pairs'
        JOIN rep_anchors x ON x.anchor = o.anchor
        JOIN rep_anchors y ON y.anchor = o.anchor AND x.ord < y.ord AND y.ord < {new}
    """,
    "changed_shared": """
        SELECT p.a AS a, p.b AS b, x.anchor AS anchor
        FROM changed_pairs p JOIN rep_anchors x ON x.ord = p.a
        JOIN rep_anchors y ON y.ord = p.b AND y.anchor = x.anchor
    """,
    "changed_fates": """
        SELECT x.anchor AS anchor, """ + fate() + """ AS fate
        FROM rep_anchors x JOIN (SELECT DISTINCT anchor FROM changed_shared) c ON x.anchor = c.anchor
        GROUP BY x.anchor
    """,
    "still_paired": """
        SELECT DISTINCT s.a AS a, s.b AS b
        FROM changed_shared s JOIN changed_fates f ON s.anchor = f.anchor AND f.fate = 'pairs'
    """,
    "carried": """
        SELECT p.a AS a, p.b AS b,
               CASE WHEN g.a IS NOT NULL AND t.a IS NULL THEN FALSE ELSE p.band END AS band,
               CASE WHEN c.a IS NOT NULL AND s.a IS NULL THEN FALSE ELSE p.anchor END AS anchor
        FROM previous_pairs p
        LEFT JOIN changed_pairs c ON p.a = c.a AND p.b = c.b
        LEFT JOIN still_paired s ON p.a = s.a AND p.b = s.b
        LEFT JOIN grown_pairs g ON p.a = g.a AND p.b = g.b
        LEFT JOIN band_still t ON p.a = t.a AND p.b = t.b
    """,
    "large_rows": """
        SELECT 0 AS route, b.band AS band, b.key AS key, b.ord AS ord
        FROM rep_bands b JOIN bucket_sizes s ON s.band = b.band AND s.key = b.key AND s.n > {all_pairs}
        UNION ALL
        SELECT 1 AS route, 0 AS band, x.anchor AS key, x.ord AS ord
        FROM rep_anchors x JOIN
        (SELECT anchor, """ + fate() + """ AS fate FROM rep_anchors GROUP BY anchor) f
        ON x.anchor = f.anchor AND f.fate = 'large'
    """,
    "found": """
        SELECT a, b, MAX(from_band) = 1 AS band, MAX(from_anchor) = 1 AS anchor
        FROM (SELECT a, b, 1 AS from_band, 0 AS from_anchor FROM band_pairs
              UNION ALL
              SELECT a, b, 0 AS from_band, 1 AS from_anchor FROM anchor_pairs) t
        GROUP BY a, b
    """,
    "all_pairs": """
        SELECT a, b, band, anchor FROM carried WHERE band OR anchor
        UNION ALL
        SELECT a, b, band, anchor FROM found
    """,
}

PAIRS_SQL = "SELECT a, b, band, anchor FROM all_pairs ORDER BY a, b"
LARGE_SQL = """SELECT CAST(route AS BIGINT) AS route, CAST(band AS BIGINT) AS band, CAST(key AS BIGINT) AS key,
    CAST(ord AS BIGINT) AS ord FROM large_rows ORDER BY route, band, key, ord"""

# The counts the scan's candidate stage reports (run.json), carried over from `--previous`:
# `band_collisions` counts every pair every band produced, before repeats are removed.
STATS_SQL = """
SELECT
  CAST({batch} AS BIGINT) AS batch,
  (SELECT band_collisions FROM previous_stats) + (SELECT COUNT(*) FROM band_hits) AS band_collisions,
  GREATEST((SELECT largest_bucket FROM previous_stats),
           (SELECT COALESCE(MAX(n), 0) FROM touched_buckets)) AS largest_bucket,
  (SELECT COUNT(*) FROM all_pairs WHERE band) AS lsh_pairs,
  (SELECT COUNT(*) FROM all_pairs WHERE anchor) AS anchor_pairs,
  (SELECT crowded_anchors FROM previous_stats)
      + (SELECT COUNT(*) FROM fates_now WHERE fate = 'crowded')
      - (SELECT COUNT(*) FROM fates_before WHERE fate = 'crowded') AS crowded_anchors,
  (SELECT template_anchors FROM previous_stats)
      + (SELECT COUNT(*) FROM fates_now WHERE fate = 'template')
      - (SELECT COUNT(*) FROM fates_before WHERE fate = 'template') AS template_anchors
"""

NO_PREVIOUS = {
    "previous_pairs": """
        SELECT CAST(0 AS BIGINT) AS a, CAST(0 AS BIGINT) AS b, FALSE AS band, FALSE AS anchor
        FROM (SELECT 1 AS one) t WHERE 1 = 0
    """,
    "previous_stats": """
        SELECT CAST(-1 AS BIGINT) AS batch, CAST(0 AS BIGINT) AS band_collisions,
               CAST(0 AS BIGINT) AS largest_bucket, CAST(0 AS BIGINT) AS crowded_anchors,
               CAST(0 AS BIGINT) AS template_anchors
    """,
}


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

    def scalar(self, sql):
        return self.spark.sql(sql).collect()[0][0]

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

    def scalar(self, sql):
        return self.con.execute(sql).fetchone()[0]

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


def furniture(engine, sigdir, batch):
    sigdir = sigdir.rstrip("/")
    engine.table("all_lines", f"{sigdir}/lines")
    engine.view("lines", f"SELECT * FROM all_lines WHERE ord < {(batch + 1) * BATCH_ORDS}")
    engine.write(FURNITURE_SQL, f"{sigdir}/furniture/batch-{batch:05d}", one_file=True)


def edges(engine, sigdir, out, batch, previous):
    sigdir, out = sigdir.rstrip("/"), out.rstrip("/")
    for name in ("documents", "bands", "anchors"):
        engine.table(name, f"{sigdir}/{name}")
    if previous:
        previous = previous.rstrip("/")
        engine.table("previous_pairs", f"{previous}/pairs")
        engine.table("previous_stats", f"{previous}/stats")
        before = engine.scalar("SELECT MAX(batch) FROM previous_stats")
        if before != batch - 1:
            sys.exit(f"reprint_edges: {previous} holds the pairs of batch {before}, not of batch {batch - 1}")
        new = batch * BATCH_ORDS
    else:
        for name, sql in NO_PREVIOUS.items():
            engine.view(name, sql)
        new = 0
    params = {"limit": (batch + 1) * BATCH_ORDS, "new": new, "batch": batch, "all_pairs": BUCKET_ALL_PAIRS}
    for name, sql in EDGES_VIEWS.items():
        engine.view(name, sql.format(**params))
    engine.write(PAIRS_SQL, f"{out}/pairs", one_file=False)
    engine.write(LARGE_SQL, f"{out}/large", one_file=False)
    engine.write(STATS_SQL.format(**params), f"{out}/stats", one_file=True)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--engine", choices=["spark", "duckdb"], default="spark")
    p.add_argument("--master", help="Spark master for a run outside spark-submit, e.g. local[2]")
    sub = p.add_subparsers(dest="step", required=True)
    f = sub.add_parser("furniture", help="judge page furniture over every shard's lines")
    f.add_argument("sigdir")
    f.add_argument("--batch", type=int, default=0, help="judge for this batch (over its lines and every earlier batch's)")
    e = sub.add_parser("edges", help="candidate pairs from band keys and anchors")
    e.add_argument("sigdir")
    e.add_argument("out")
    e.add_argument("--batch", type=int, default=0, help="pairs of every batch up to this one")
    e.add_argument("--previous", help="the pairs of batches up to BATCH-1: search only pairs with a new document")
    args = p.parse_args(argv)
    engine = Spark(args.master) if args.engine == "spark" else DuckDB()
    try:
        if args.step == "furniture":
            furniture(engine, args.sigdir, args.batch)
        else:
            edges(engine, args.sigdir, args.out, args.batch, args.previous)
    finally:
        engine.close()


if __name__ == "__main__":
    main()
