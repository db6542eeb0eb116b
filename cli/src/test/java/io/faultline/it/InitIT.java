package io.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.cli.Faultline;
import io.faultline.engine.KafkaClients;
import io.faultline.testkit.TestKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code faultline init} on a fresh cluster creates Faultline's topics with their settings; again, it changes nothing. */
class InitIT {
    private static String init(String bootstrap, String prefix, StringWriter out) {
        CommandLine cl = Faultline.commandLine();
        cl.setOut(new PrintWriter(out, true));
        int code = cl.execute("init", "-b", bootstrap, "--topic-prefix", prefix);
        assertThat(code).as(out.toString()).isZero();
        return out.toString();
    }

    @Test
    void createsTheTopicsOnceWithTheirSettingsAndIsIdempotent() throws Exception {
        String bootstrap = TestKafka.bootstrapServers();
        String first = init(bootstrap, "init-it.", new StringWriter());
        System.out.print(first);
        assertThat(first).startsWith("1 broker at " + bootstrap)
                .contains("init-it.commands         created  1 partition, replication 1, retention.ms=1d, "
                        + "max.message.bytes=65536, min.insync.replicas=1")
                .contains("init-it.halt             created  1 partition, replication 1, cleanup.policy=compact");
        String again = init(bootstrap, "init-it.", new StringWriter());
        System.out.print(again);
        assertThat(again).contains("init-it.commands         exists   1 partition, replication 1")
                .doesNotContain("created");
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            ConfigResource halt = new ConfigResource(ConfigResource.Type.TOPIC, "init-it.halt");
            ConfigResource verdicts = new ConfigResource(ConfigResource.Type.TOPIC, "init-it.verdicts");
            var configs = admin.describeConfigs(List.of(halt, verdicts)).all().get(15, TimeUnit.SECONDS);
            assertThat(configs.get(halt).get("cleanup.policy").value()).isEqualTo("compact");
            assertThat(configs.get(verdicts).get("retention.ms").value()).isEqualTo(Long.toString(365L * 24 * 3600 * 1000));
        }
    }
}
