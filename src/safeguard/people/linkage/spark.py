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

# JVM options for a local-mode driver (the whole of a local job runs in it). A short job
# spends much of its time compiling: stopping at the JIT compiler's first, quick tier gives
# up peak speed the job never runs long enough to reach. The serial collector runs no
# threads beside the job's, where the default (G1) runs concurrent and parallel ones that,
# on a machine of few cores, take them from the tasks; a small batch's heap needs no more.
# They take effect only in a JVM the session starts: a running driver keeps its options.
LOCAL_JAVA_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


def local_session(*, cores: int = 2, partitions: int = 4, app_name: str = "safeguard-linkage",
                  java_options: str = LOCAL_JAVA_OPTIONS) -> SparkSession:
    """A Spark local-mode session with Splink's similarity jar on the classpath, tuned for
    a batch small enough for one machine (``java_options``: the driver JVM's)."""
    return (SparkSession.builder
            .master(f"local[{cores}]")
            .appName(app_name)
            .config("spark.jars", similarity_jar_location())
            .config("spark.sql.shuffle.partitions", str(partitions))
            .config("spark.default.parallelism", str(partitions))
            .config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.driver.extraJavaOptions", java_options)
            # Splink's queries carry every column twice (_l and _r) through long chains of
            # CTEs and CASE expressions; the optimizer's constraint inference works over
            # every alias of every column, work that grows far faster than the query, and
            # on a batch this small costs more than the filters it infers save.
            .config("spark.sql.constraintPropagation.enabled", "false")
            # The records are a local table built from Python rows. This rule folds the
            # projections and filters over such a table into a new local table inside the
            # optimizer, evaluating them interpreted, row by row, on the driver, for each
            # query planned over it; excluded, they run as compiled stages like the rest.
            .config("spark.sql.optimizer.excludedRules",
                    "org.apache.spark.sql.catalyst.optimizer.ConvertToLocalRelation")
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
