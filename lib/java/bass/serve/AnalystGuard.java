package bass.serve;

import java.util.Set;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.CurrentUserContext$;
import org.apache.spark.sql.catalyst.expressions.CallMethodViaReflection;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.InputFileBlockLength;
import org.apache.spark.sql.catalyst.expressions.InputFileBlockStart;
import org.apache.spark.sql.catalyst.expressions.InputFileName;
import org.apache.spark.sql.catalyst.plans.logical.Command;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.View;
import org.apache.spark.sql.catalyst.rules.Rule;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.apache.spark.sql.sources.BaseRelation;

import scala.collection.Iterator;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * The analyst server's gate (spark.sql.extensions): once armed, a statement may read only the
 * views of the analyst schema (whose personal columns are masked), never a table or file below
 * them, and may not change anything. Checked on the analysed plan, before anything runs, so no
 * table name, path, subquery or CTE reaches raw data. The engineers' server arms it read-only:
 * every table may be read, nothing changed (tables change only through `bass run`).
 *
 * It also shares the server between its users: each statement runs in its user's own pool of
 * the fair scheduler, so one user's long query does not queue everyone else's behind it, and it
 * installs the analysts' result-row limit (RowLimit).
 */
public final class AnalystGuard extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> {

    private static volatile String schema = null;   // null: not armed (the server is setting up)
    private static volatile boolean readOnly = false;

    /** Plans without storage below them; LogicalRDD exists only through the DataFrame API (Delta
     *  keeps a table's log state in one), which no SQL statement reaches. */
    private static final Set<String> SAFE_LEAVES = Set.of(
        "LocalRelation", "OneRowRelation", "Range", "CTERelationRef", "ResolvedNamespace", "LogicalRDD");

    private static final String DELTA_LOG_INDEX = "org.apache.spark.sql.delta.DeltaLogFileIndex";

    /** Commands that only show metadata or session settings. */
    private static final Set<String> READ_ONLY_COMMANDS = Set.of(
        "ShowTablesCommand", "ShowTables", "ShowViews", "ShowNamespaces", "ShowNamespacesCommand",
        "ShowColumnsCommand", "ShowColumns", "DescribeTableCommand", "DescribeRelation",
        "DescribeColumnCommand", "DescribeColumn", "ShowFunctions", "ShowFunctionsCommand",
        "DescribeFunction", "DescribeFunctionCommand", "SetCommand", "ResetCommand",
        "ExplainCommand", "SetNamespaceCommand", "SetCatalogAndNamespace", "ShowCatalogsCommand",
        "ShowCurrentNamespaceCommand");

    /** Delta's own read-only commands, for engineers auditing a table. */
    private static final Set<String> DELTA_READ_ONLY_COMMANDS = Set.of(
        "DescribeDeltaHistory", "DescribeDeltaHistoryCommand", "DescribeDeltaDetailCommand", "ShowCreateTableCommand",
        "ShowCreateTable", "ShowTablePropertiesCommand", "ShowTableProperties", "ShowPartitionsCommand");

    /** From now on every statement of this JVM is checked against the given schema's views. */
    public static void arm(String analystSchema) {
        schema = analystSchema;
    }

    /** From now on no statement of this JVM may change anything. */
    public static void armReadOnly() {
        readOnly = true;
    }

    @Override
    public BoxedUnit apply(SparkSessionExtensions extensions) {
        extensions.injectPostHocResolutionRule(new AbstractFunction1<SparkSession, Rule<LogicalPlan>>() {
            @Override
            public Rule<LogicalPlan> apply(SparkSession session) {
                return new RowLimit();
            }
        });
        // before Spark's own checks, which name the plan below a view when they fail
        extensions.injectPostHocResolutionRule(new AbstractFunction1<SparkSession, Rule<LogicalPlan>>() {
            @Override
            public Rule<LogicalPlan> apply(SparkSession session) {
                return new Rule<LogicalPlan>() {
                    @Override
                    public LogicalPlan apply(LogicalPlan plan) {
                        if (schema != null) {
                            checkExpressions(plan);
                        }
                        return plan;
                    }
                };
            }
        });
        extensions.injectCheckRule(new AbstractFunction1<SparkSession, scala.Function1<LogicalPlan, BoxedUnit>>() {
            @Override
            public scala.Function1<LogicalPlan, BoxedUnit> apply(SparkSession session) {
                return new AbstractFunction1<LogicalPlan, BoxedUnit>() {
                    @Override
                    public BoxedUnit apply(LogicalPlan plan) {
                        String armed = schema;
                        if (armed != null || readOnly) {
                            userPool(session);
                            StatementLimit.watch(session);
                        }
                        if (armed != null) {
                            check(plan, armed);
                        } else if (readOnly) {
                            checkReadOnly(plan);
                        }
                        return BoxedUnit.UNIT;
                    }
                };
            }
        });
        return BoxedUnit.UNIT;
    }

    /** The statement's jobs go to its user's fair-scheduler pool (created on first use). */
    static void userPool(SparkSession session) {
        String user = CurrentUserContext$.MODULE$.getCurrentUser();
        if (user != null && !user.isEmpty()) {
            session.sparkContext().setLocalProperty("spark.scheduler.pool", "user-" + user);
        }
    }

    static void check(LogicalPlan node, String armed) {
        String name = node.getClass().getSimpleName();
        if (node instanceof View && isAnalystView((View) node, armed)) {
            return;
        }
        if (node instanceof Command) {
            if (READ_ONLY_COMMANDS.contains(name)) {
                return;
            }
            throw refuse("a " + name + " statement changes or reads storage directly; the analyst server only reads the "
                + armed + " schema");
        }
        Iterator<Expression> expressions = node.expressions().iterator();
        while (expressions.hasNext()) {
            checkExpression(expressions.next());
        }
        if (node.children().isEmpty() && !SAFE_LEAVES.contains(name) && !isTransactionLogRead(node)) {
            throw refuse("only the views of the " + armed + " schema can be read here; this statement reads a "
                + "table or files directly (" + name + ")");
        }
        Iterator<LogicalPlan> children = node.children().iterator();
        while (children.hasNext()) {
            check(children.next(), armed);
        }
        Iterator<LogicalPlan> subqueries = node.subqueries().iterator();
        while (subqueries.hasNext()) {
            check(subqueries.next(), armed);
        }
    }

    static void checkReadOnly(LogicalPlan node) {
        String name = node.getClass().getSimpleName();
        if (node instanceof Command && !READ_ONLY_COMMANDS.contains(name) && !DELTA_READ_ONLY_COMMANDS.contains(name)) {
            throw new SecurityException("BASS SQL server: a " + name + " statement is refused; it only reads "
                + "(tables change through `bass run`)");
        }
        Iterator<LogicalPlan> children = node.children().iterator();
        while (children.hasNext()) {
            checkReadOnly(children.next());
        }
        Iterator<LogicalPlan> subqueries = node.subqueries().iterator();
        while (subqueries.hasNext()) {
            checkReadOnly(subqueries.next());
        }
    }

    static void checkExpressions(LogicalPlan node) {
        Iterator<Expression> expressions = node.expressions().iterator();
        while (expressions.hasNext()) {
            checkExpression(expressions.next());
        }
        Iterator<LogicalPlan> children = node.children().iterator();
        while (children.hasNext()) {
            checkExpressions(children.next());
        }
    }

    /** reflect() / java_method() call any static Java method: the environment holding the
     *  pseudonym key, the file system. input_file_name() and its kin show storage paths. */
    static void checkExpression(Expression e) {
        if (e instanceof CallMethodViaReflection) {
            throw refuse("reflect() / java_method() are not available on the analyst server");
        }
        if (e instanceof InputFileName || e instanceof InputFileBlockStart || e instanceof InputFileBlockLength) {
            throw refuse(e.prettyName() + "() shows where the warehouse stores its files; it is not available on "
                + "the analyst server");
        }
        Iterator<Expression> children = e.children().iterator();
        while (children.hasNext()) {
            checkExpression(children.next());
        }
    }

    /** Delta reads a table's own transaction log through plans it builds while a query runs,
     *  checked like any other; their file index is Delta's log index, which SQL cannot name. */
    static boolean isTransactionLogRead(LogicalPlan node) {
        if (!(node instanceof LogicalRelation)) {
            return false;
        }
        BaseRelation relation = ((LogicalRelation) node).relation();
        return relation instanceof HadoopFsRelation
            && ((HadoopFsRelation) relation).location().getClass().getName().equals(DELTA_LOG_INDEX);
    }

    static boolean isAnalystView(View view, String armed) {
        scala.Option<String> database = view.desc().identifier().database();
        return database.isDefined() && database.get().equalsIgnoreCase(armed);
    }

    static SecurityException refuse(String why) {
        return new SecurityException("BASS analyst access: " + why);
    }
}
