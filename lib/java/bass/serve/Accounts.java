package bass.serve;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.security.sasl.AuthenticationException;

import org.apache.hive.service.auth.PasswdAuthenticationProvider;

/**
 * Password check of the SQL server (hive.server2.authentication=CUSTOM). The accounts file holds
 * one line per account, `name:role:iterations:salt_hex:pbkdf2_sha256_hex[:scope]` (written by
 * `bass accounts add`); a server accepts only the accounts of its own role, so an analyst
 * account cannot log in to the privileged server. With a directory configured (Directory), logins
 * are checked there instead. A login grants the account's scope (Scope; the province when the
 * line has none). Failed logins are audited and slowed down (Logins).
 */
public final class Accounts implements PasswdAuthenticationProvider {

    private static volatile Path file = null;
    private static volatile String role = null;

    public static void configure(String accountsFile, String serverRole) {
        file = Path.of(accountsFile);
        role = serverRole;
    }

    @Override
    public void Authenticate(String user, String password) throws AuthenticationException {
        if ((file == null && Directory.configured() == null) || user == null || password == null) {
            throw new AuthenticationException("authentication is not configured");
        }
        Logins.before(user);
        Directory directory = Directory.configured();
        String scope = directory != null ? directory.check(user, password) : check(user, password);
        if (scope == null) {
            throw Logins.failed(user, "wrong user or password, or no " + role + " account");
        }
        Logins.succeeded(user);
        Scope.grant(user, scope);
    }

    /** The account's scope when the password is right, else null. */
    static String check(String user, String password) throws AuthenticationException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);   // read per login: changes apply at once
        } catch (IOException e) {
            throw new AuthenticationException("cannot read the accounts file " + file);
        }
        for (String line : lines) {
            String[] f = line.trim().split(":");
            if (f.length < 5 || f.length > 6 || line.startsWith("#") || !f[0].equals(user)) {
                continue;
            }
            if (f[1].equals(role) && matches(password, Integer.parseInt(f[2]), f[3], f[4])) {
                return f.length == 6 ? f[5] : Scope.PROVINCE;
            }
        }
        return null;
    }

    static boolean matches(String password, int iterations, String saltHex, String hashHex)
            throws AuthenticationException {
        try {
            byte[] expected = HexFormat.of().parseHex(hashHex);
            PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), HexFormat.of().parseHex(saltHex),
                iterations, expected.length * 8);
            byte[] actual = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
            return MessageDigest.isEqual(expected, actual);
        } catch (Exception e) {
            throw new AuthenticationException("malformed account entry");
        }
    }
}
