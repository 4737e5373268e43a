package bass.serve;

import java.util.List;

import org.apache.spark.sql.catalyst.analysis.AnalysisContext;
import org.apache.spark.sql.catalyst.expressions.BitwiseAnd;
import org.apache.spark.sql.catalyst.expressions.CreateMap;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.GreaterThanOrEqual;
import org.apache.spark.sql.catalyst.expressions.If;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.catalyst.expressions.MonotonicallyIncreasingID;
import org.apache.spark.sql.catalyst.expressions.RaiseError;
import org.apache.spark.sql.catalyst.plans.logical.Command;
import org.apache.spark.sql.catalyst.plans.logical.Filter;
import org.apache.spark.sql.catalyst.plans.logical.GlobalLimit;
import org.apache.spark.sql.catalyst.plans.logical.LocalLimit;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.ObjectConsumer;
import org.apache.spark.sql.catalyst.plans.logical.ObjectProducer;
import org.apache.spark.sql.catalyst.rules.Rule;
import org.apache.spark.sql.types.DataTypes;

import scala.jdk.javaapi.CollectionConverters;

/**
 * The result-row limit of a server's role: a statement returns at most `rows` rows, and fails
 * with a message that says so when its result has more, instead of filling the server's memory.
 * The statement's plan gets `limit rows + 1` and, above it, a filter that raises the error at the
 * row past the limit (the limit's output is one partition, numbered from 0); a plan that cannot
 * return more rows than the limit is left as it is, and so are commands, subqueries, Spark's own
 * object plans (encoders) and Delta's reads of a table's log (which SQL cannot name).
 */
public final class RowLimit extends Rule<LogicalPlan> {

    static final String MARK = "BASS row limit";
    private static volatile long rows = 0;   // 0: no limit

    public static void arm(long maxRows) {
        rows = maxRows;
    }

    @Override
    public LogicalPlan apply(LogicalPlan plan) {
        long max = rows;
        if (max <= 0 || plan instanceof Command || plan instanceof ObjectProducer || plan instanceof ObjectConsumer
                || AnalysisContext.get().outerPlan().isDefined()
                || readsLog(plan) || isLimited(plan) || (plan.maxRows().isDefined() && (Long) plan.maxRows().get() <= max)) {
            return plan;
        }
        String message = MARK + ": the result has more than " + max + " rows, the most a query may return on "
            + "this server; aggregate it, filter it or add a LIMIT";
        Expression params = new CreateMap(CollectionConverters.asScala(List.<Expression>of(
            Literal.create("errorMessage", DataTypes.StringType), Literal.create(message, DataTypes.StringType))).toSeq(), false);
        Expression raise = new RaiseError(Literal.create("USER_RAISED_EXCEPTION", DataTypes.StringType), params,
            DataTypes.BooleanType);
        // the row's number within its partition: the limit's one partition, or when the optimizer drops the
        // limit (a child of at most max + 1 rows), each of the child's
        Expression row = new BitwiseAnd(new MonotonicallyIncreasingID(), Literal.create((1L << 33) - 1, DataTypes.LongType));
        Expression pastLimit = new GreaterThanOrEqual(row, Literal.create(max, DataTypes.LongType));
        Expression bound = Literal.create((int) Math.min(max + 1, Integer.MAX_VALUE), DataTypes.IntegerType);
        LogicalPlan limited = new GlobalLimit(bound, new LocalLimit(bound, plan));
        return new Filter(new If(pastLimit, raise, Literal.create(true, DataTypes.BooleanType)), limited);
    }

    /** Delta's reads of a table's log and of its cached state. */
    static boolean readsLog(LogicalPlan node) {
        if (node.children().isEmpty()) {
            return AnalystGuard.isTransactionLogRead(node) || node.getClass().getSimpleName().equals("LogicalRDD");
        }
        scala.collection.Iterator<LogicalPlan> children = node.children().iterator();
        while (children.hasNext()) {
            if (readsLog(children.next())) {
                return true;
            }
        }
        return false;
    }

    static boolean isLimited(LogicalPlan plan) {
        return plan instanceof Filter && ((Filter) plan).condition().sql().contains(MARK);
    }
}
