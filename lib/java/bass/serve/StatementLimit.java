package bass.serve;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * The statement time limit of a server's role: a statement still running `seconds` after its
 * analysis is cancelled, jobs and all, with a reason that names the limit (the Thrift server's
 * own timeout only says "found TIMEDOUT"). The Thrift server runs each statement in a job group
 * of its own, which is what gets cancelled.
 */
public final class StatementLimit {

    private static volatile long seconds = 0;   // 0: no limit
    private static final Set<String> WATCHED = ConcurrentHashMap.newKeySet();
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "bass-statement-limit");
        thread.setDaemon(true);
        return thread;
    });

    private StatementLimit() {
    }

    public static void arm(long limitSeconds) {
        seconds = limitSeconds;
    }

    /** Start the clock of the statement running in this thread, once per statement. */
    static void watch(SparkSession session) {
        long limit = seconds;
        SparkContext context = session.sparkContext();
        String group = context.getLocalProperty("spark.jobGroup.id");
        if (limit <= 0 || group == null || !WATCHED.add(group)) {
            return;
        }
        TIMER.schedule(() -> {
            WATCHED.remove(group);
            context.cancelJobGroupAndFutureJobs(group, "by the BASS statement limit: it ran longer than " + limit
                + " s, the most a statement may run on this server; aggregate less, filter more, or ask a data "
                + "engineer for a batch job");
        }, limit, TimeUnit.SECONDS);
    }
}
