package bass.serve;

import java.nio.charset.StandardCharsets;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.apache.spark.sql.api.java.UDF1;

/**
 * A keyed pseudonym (HMAC-SHA256, 20 hex digits) for personal identifiers in the analyst views:
 * equal values get equal pseudonyms, so analysts can still join and count; without the key,
 * which only the server process holds, no one can map one back or compute one from a number.
 */
public final class Pseudonym implements UDF1<String, String> {

    private static volatile byte[] key = null;

    public static void setKey(String secret) {
        key = secret.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String call(String value) throws Exception {
        if (value == null) {
            return null;
        }
        if (key == null) {
            throw new IllegalStateException("the pseudonym key is not set");
        }
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        byte[] digest = mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
        StringBuilder hex = new StringBuilder(20);
        for (int i = 0; i < 10; i++) {
            hex.append(String.format("%02x", digest[i]));
        }
        return hex.toString();
    }
}
