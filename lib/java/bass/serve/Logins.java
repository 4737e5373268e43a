package bass.serve;

import java.util.concurrent.ConcurrentHashMap;

import javax.security.sasl.AuthenticationException;

/**
 * Failed logins, per account name: each is written to the audit trail, and the next attempt on
 * that name waits 2^(failures - 1) × 250 ms (at most 16 s) before its password is even checked,
 * so guessing a password over the wire takes years. A successful login clears the count.
 */
final class Logins {

    private static final ConcurrentHashMap<String, Integer> FAILURES = new ConcurrentHashMap<>();
    static final long MAX_WAIT_MS = 16_000;

    private Logins() {
    }

    static long waitMs(int failures) {
        return failures <= 0 ? 0 : Math.min(MAX_WAIT_MS, 250L << Math.min(failures - 1, 16));
    }

    static void before(String user) throws AuthenticationException {
        long wait = waitMs(FAILURES.getOrDefault(user, 0));
        if (wait > 0) {
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AuthenticationException("login interrupted");
            }
        }
    }

    static AuthenticationException failed(String user, String why) {
        int failures = FAILURES.merge(user, 1, Integer::sum);
        AuditLog.loginFailed(user, failures, why);
        return new AuthenticationException(why);
    }

    static void succeeded(String user) {
        FAILURES.remove(user);
    }
}
