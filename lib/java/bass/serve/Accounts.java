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
 * one line per account, `name:role:iterations:salt_hex:pbkdf2_sha256_hex` (written by
 * `bass accounts add`); a server accepts only the accounts of its own role, so an analyst
 * account cannot log in to the privileged server.
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
        if (file == null || user == null || password == null) {
            throw new AuthenticationException("authentication is not configured");
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);   // read per login: changes apply at once
        } catch (IOException e) {
            throw new AuthenticationException("cannot read the accounts file " + file);
        }
        for (String line : lines) {
            String[] f = line.trim().split(":");
            if (f.length != 5 || line.startsWith("#") || !f[0].equals(user)) {
                continue;
            }
            if (f[1].equals(role) && matches(password, Integer.parseInt(f[2]), f[3], f[4])) {
                return;
            }
        }
        throw new AuthenticationException("wrong user or password, or no " + role + " account");
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
