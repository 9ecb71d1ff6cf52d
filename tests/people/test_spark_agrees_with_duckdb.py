"""The same batch linkage on Spark local mode and on DuckDB agrees (pair F1 within 0.01);
the local session's driver runs with the JVM options it was given."""

from __future__ import annotations

import pytest

pytest.importorskip(
    "pyspark", reason="pyspark is not installed (the optional 'spark' extra): "
                      "the Spark batch linkage is not tested on this machine")

from safeguard.people.linkage.batch import link_rows, pair_scores  # noqa: E402
from safeguard.people.linkage.spark import link_rows_on_spark, local_session  # noqa: E402
from safeguard.people.linkage.synthetic import generate  # noqa: E402


@pytest.mark.slow
def test_a_small_batch_on_spark_scores_as_it_does_on_duckdb() -> None:
    rows = generate(3000, seed=11)
    truth = {row["record_id"]: row["truth"] for row in rows}
    duckdb = link_rows(rows)
    session = local_session()
    try:
        jvm = session.sparkContext._jvm
        assert jvm is not None
        arguments = list(jvm.java.lang.management.ManagementFactory.getRuntimeMXBean()
                         .getInputArguments())
        assert {"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"} <= set(arguments), arguments
        spark = link_rows_on_spark(rows, session=session)
    finally:
        session.stop()
    on_duckdb = pair_scores(duckdb.person_of, truth)
    on_spark = pair_scores(spark.person_of, truth)
    assert on_duckdb.f1 > 0.9
    assert abs(on_spark.f1 - on_duckdb.f1) <= 0.01, (on_spark, on_duckdb)
