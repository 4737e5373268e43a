package bass.serve;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.spark.sql.api.java.UDF2;

/**
 * The rows an analyst may see: each account's scope, the province or a set of region codes
 * (地市), granted at login (from the accounts file or the directory). As the SQL function
 * `bass_in_scope(current_user(), regions)` it filters every analyst view with subscriber or
 * regional rows; `regions` is one region code or a comma-separated list (a subscriber BOSS placed
 * in several cities). A user without a grant sees nothing.
 */
public final class Scope implements UDF2<String, String, Boolean> {

    public static final String PROVINCE = "province";

    private static final ConcurrentHashMap<String, Set<String>> GRANTS = new ConcurrentHashMap<>();
    private static final Set<String> ALL = Set.of("*");

    /** `spec` is "province" or comma-separated region codes. */
    public static void grant(String user, String spec) {
        if (spec == null || spec.isBlank() || spec.trim().equals(PROVINCE)) {
            GRANTS.put(user, ALL);
        } else {
            GRANTS.put(user, Set.of(spec.trim().split("\\s*,\\s*")));
        }
    }

    public static boolean inScope(String user, String regions) {
        Set<String> granted = user == null ? null : GRANTS.get(user);
        if (granted == null) {
            return false;
        }
        if (granted == ALL) {
            return true;
        }
        if (regions == null) {
            return false;
        }
        for (String region : regions.split(",")) {
            if (granted.contains(region)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Boolean call(String user, String regions) {
        return inScope(user, regions);
    }
}
