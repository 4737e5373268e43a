package bass.serve;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.sql.hive.thriftserver.ui.SparkListenerThriftServerOperationError;
import org.apache.spark.sql.hive.thriftserver.ui.SparkListenerThriftServerOperationFinish;
import org.apache.spark.sql.hive.thriftserver.ui.SparkListenerThriftServerOperationStart;
import org.apache.spark.sql.hive.thriftserver.ui.SparkListenerThriftServerSessionClosed;
import org.apache.spark.sql.hive.thriftserver.ui.SparkListenerThriftServerSessionCreated;

/**
 * The audit trail of the SQL server: every connection and statement (who, from where, when,
 * what, and how it ended) as one JSON line, appended and flushed as the server's events arrive.
 * Data engineers query it as meta.sql_audit.
 */
public final class AuditLog extends SparkListener {

    private static volatile AuditLog current = null;   // the server's trail, for events outside Spark's
    private final BufferedWriter out;
    private final String server;

    public AuditLog(String path, String serverRole) throws IOException {
        Path file = Path.of(path);
        Files.createDirectories(file.getParent());
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        server = serverRole;
        current = this;
    }

    /** A refused login (Logins), with how many in a row the account name has had. */
    static void loginFailed(String user, int failures, String why) {
        AuditLog log = current;
        if (log != null) {
            log.write("login_failed", System.currentTimeMillis(), user, null, null, null, null,
                why + " (" + failures + " in a row)");
        }
    }

    @Override
    public void onOtherEvent(SparkListenerEvent event) {
        if (event instanceof SparkListenerThriftServerSessionCreated) {
            SparkListenerThriftServerSessionCreated e = (SparkListenerThriftServerSessionCreated) event;
            write("connect", e.startTime(), e.userName(), e.ip(), e.sessionId(), null, null, null);
        } else if (event instanceof SparkListenerThriftServerSessionClosed) {
            SparkListenerThriftServerSessionClosed e = (SparkListenerThriftServerSessionClosed) event;
            write("disconnect", e.finishTime(), null, null, e.sessionId(), null, null, null);
        } else if (event instanceof SparkListenerThriftServerOperationStart) {
            SparkListenerThriftServerOperationStart e = (SparkListenerThriftServerOperationStart) event;
            write("statement", e.startTime(), e.userName(), null, e.sessionId(), e.id(), e.statement(), null);
        } else if (event instanceof SparkListenerThriftServerOperationError) {
            SparkListenerThriftServerOperationError e = (SparkListenerThriftServerOperationError) event;
            write("failed", e.finishTime(), null, null, null, e.id(), null, e.errorMsg());
        } else if (event instanceof SparkListenerThriftServerOperationFinish) {
            SparkListenerThriftServerOperationFinish e = (SparkListenerThriftServerOperationFinish) event;
            write("finished", e.finishTime(), null, null, null, e.id(), null, null);
        }
    }

    private synchronized void write(String kind, long timeMs, String user, String ip, String sessionId,
                                    String statementId, String statement, String error) {
        StringBuilder line = new StringBuilder(256).append('{');
        field(line, "event", kind).append(',');
        field(line, "time", Instant.ofEpochMilli(timeMs).toString()).append(',');   // ISO-8601 UTC
        field(line, "server", server).append(',');
        field(line, "user", user).append(',');
        field(line, "ip", ip).append(',');
        field(line, "session_id", sessionId).append(',');
        field(line, "statement_id", statementId).append(',');
        field(line, "statement", statement).append(',');
        field(line, "error", error).append('}');
        try {
            out.write(line.toString());
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the SQL audit log", e);
        }
    }

    private static StringBuilder field(StringBuilder line, String name, String value) {
        line.append('"').append(name).append("\":");
        if (value == null) {
            return line.append("null");
        }
        line.append('"');
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"': line.append("\\\""); break;
                case '\\': line.append("\\\\"); break;
                case '\n': line.append("\\n"); break;
                case '\r': line.append("\\r"); break;
                case '\t': line.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        line.append(String.format("\\u%04x", (int) c));
                    } else {
                        line.append(c);
                    }
            }
        }
        return line.append('"');
    }
}
