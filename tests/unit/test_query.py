"""`bass sql` reads and never writes: every statement that would change a table or the session
is refused before it runs."""
import pytest

from bass.serving.query import ReadOnlyError, check_read_only

READS = ["select 1", "with a as (select 1 as x) select * from a", "values (1)", "select * from dm.x union all select 2",
         "show tables in dm", "describe dm.x", "describe history dm.x", "explain select 1", "show create table dm.x"]
WRITES = ["insert into dm.x select 1", "with a as (select 1) insert into dm.x select * from a", "drop table dm.x",
          "delete from dm.x where 1 = 1", "update dm.x set a = 1", "truncate table dm.x",
          "merge into dm.x t using dm.y s on t.a = s.a when matched then delete", "create table z as select 1",
          "vacuum dm.x", "optimize dm.x", "restore table dm.x to version as of 1", "alter table dm.x add columns (b int)",
          "insert overwrite directory '/tmp/x' select 1", "create temporary view v as select 1", "cache table dm.x",
          "set spark.sql.shuffle.partitions = 1", "add jar /tmp/x.jar", "insert overwrite dm.x select 1"]


@pytest.mark.parametrize("query", READS)
def test_queries_and_read_only_commands_pass(spark, query):
    check_read_only(spark, query)


@pytest.mark.parametrize("query", WRITES)
def test_statements_that_change_anything_are_refused(spark, query):
    with pytest.raises(ReadOnlyError, match="bass sql only reads"):
        check_read_only(spark, query)
