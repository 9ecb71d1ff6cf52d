"""Batch linkage on Spark: the same Splink settings, weights, guard and clustering as DuckDB.

Needs the ``spark`` extra (``pip install 'safeguard[spark]'``, pyspark >= 3.5; Splink 5 ships
Jaro-Winkler UDF jars for Spark 3.x and 4.x). Only this module imports pyspark, and nothing
in the product imports this module, so pyspark stays optional: import it only to run on Spark.

Splink's Spark dialect calls ``jaro_winkler`` (a Scala UDF in the jar Splink ships, found by
``splink.backends.spark.similarity_jar_location``). The jar goes on the session's classpath
(``spark.jars``) when the session is built, and :class:`SparkAPI` registers the functions.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import SparkSession
from splink.backends.spark import SparkAPI, similarity_jar_location

from safeguard.people.linkage.batch import LinkResult, link_rows
from safeguard.people.linkage.model import Model


def local_session(*, cores: int = 2, partitions: int = 4,
                  app_name: str = "safeguard-linkage") -> SparkSession:
    """A Spark local-mode session with Splink's similarity jar on the classpath."""
    return (SparkSession.builder
            .master(f"local[{cores}]")
            .appName(app_name)
            .config("spark.jars", similarity_jar_location())
            .config("spark.sql.shuffle.partitions", str(partitions))
            .config("spark.default.parallelism", str(partitions))
            .config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate())


def spark_api(session: SparkSession, *, partitions: int | None = None) -> SparkAPI:
    """Splink's Spark backend; intermediate tables are persisted in memory (local mode needs
    no checkpoint directory). On a cluster, pass a session configured for it."""
    return SparkAPI(  # type: ignore[no-untyped-call]
        spark_session=session, break_lineage_method="persist",
        num_partitions_on_repartition=partitions)


def link_rows_on_spark(rows: Sequence[dict[str, str]], *, session: SparkSession | None = None,
                       model: Model | None = None) -> LinkResult:
    """:func:`batch.link_rows` with Splink on Spark (a local session unless one is given)."""
    return link_rows(rows, db_api=spark_api(session or local_session()), model=model,
                     dialect="spark")
