package io.faultline.cli;

import io.faultline.protocol.TextFiles;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * A Kafka client properties file ({@code --command-config}, as Kafka's own tools take it): the
 * security settings (TLS, SASL) every client of a command or agent starts from. A setting no
 * Kafka client knows is an error naming its line, not a silent no-op; a value is never echoed,
 * since most of them are passwords.
 */
final class ClientSettingsFile {
    /** A client properties file is a dozen lines; this bounds a wrong path to something huge. */
    static final int MAX_BYTES = 256 * 1024;
    /** Settings Faultline sets itself on each client: the file cannot change how it reads and writes. */
    static final Set<String> OWN = Set.of("key.serializer", "value.serializer", "key.deserializer",
            "value.deserializer", "group.id", "enable.auto.commit", "isolation.level", "auto.offset.reset",
            "enable.idempotence", "acks", "transactional.id", "client.id");

    /** What a Kafka client setting's name looks like: {@code sasl.jaas.config}, {@code ssl.keystore.location}. */
    private static final Pattern SETTING_NAME = Pattern.compile("[a-z][a-z0-9]*(?:[.-][a-z0-9]+)*");

    private ClientSettingsFile() {
    }

    static Map<String, String> load(Path file) {
        String text;
        try {
            text = TextFiles.read(file, MAX_BYTES, 64 * 1024);
        } catch (TextFiles.UnreadableException e) {
            throw new IllegalArgumentException("--command-config " + file + (e.line() > 0 ? ":" + e.line() : "") + ": "
                    + e.getMessage());
        }
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("--command-config " + file + ": not a properties file: "
                    + e.getMessage());
        }
        Set<String> known = new TreeSet<>();
        known.addAll(ProducerConfig.configNames());
        known.addAll(ConsumerConfig.configNames());
        known.addAll(AdminClientConfig.configNames());
        Map<String, String> out = new TreeMap<>();
        for (String key : p.stringPropertyNames()) {
            if (!known.contains(key)) {
                // A name that cannot be a setting's is most likely a value run onto a line of its own
                // (a wrapped JAAS line): never print it, it may be a password.
                String shown = SETTING_NAME.matcher(key).matches() ? "'" + key + "'" + suggestion(key, known)
                        : "(not shown: it does not look like a setting's name; is a value wrapped onto this line?)";
                throw new IllegalArgumentException("--command-config " + file + ":" + lineOf(text, key)
                        + ": unknown Kafka client setting " + shown);
            }
            if (OWN.contains(key)) {
                throw new IllegalArgumentException("--command-config " + file + ":" + lineOf(text, key) + ": '" + key
                        + "' is set by Faultline on each client; leave it out (the file is for connection and "
                        + "security settings)");
            }
            if (!key.equals("bootstrap.servers")) {
                out.put(key, p.getProperty(key));
            }
        }
        return out;
    }

    private static int lineOf(String text, String key) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i].strip();
            if (l.startsWith(key) && l.substring(key.length()).matches("\\s*[=:\\s].*|\\s*")) {
                return i + 1;
            }
        }
        return 0;
    }

    /** The known setting closest to a misspelt one, when there is a close one. */
    private static String suggestion(String key, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(key, k);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best != null && bestDistance <= Math.max(2, key.length() / 8) ? " (did you mean '" + best + "'?)" : "";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1),
                        prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
