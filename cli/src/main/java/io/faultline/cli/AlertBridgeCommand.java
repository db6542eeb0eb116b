package io.faultline.cli;

import io.faultline.alert.AlertNotice;
import io.faultline.alert.AlertReceiver;
import io.faultline.engine.InfrastructureException;
import io.faultline.engine.KafkaClients;
import io.faultline.protocol.AlertEvent;
import io.faultline.protocol.Json;
import io.faultline.protocol.KeyFiles;
import io.faultline.protocol.TelemetrySigner;
import io.faultline.protocol.Topics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code faultline alert-bridge}: receives Alertmanager's webhook and forwards every notification
 * to the telemetry topic, for when Alertmanager cannot reach the orchestrator (CronJob pods come
 * and go; the bridge stays).
 */
@Command(name = "alert-bridge", mixinStandardHelpOptions = true,
        description = "Receive Alertmanager webhook notifications (payload version 4) on POST /alerts and forward "
                + "them to the telemetry topic, where every run's verifier reads them.")
public final class AlertBridgeCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(AlertBridgeCommand.class);

    @Option(names = "--listen", defaultValue = "0.0.0.0:9095", paramLabel = "HOST:PORT",
            description = "Where to listen (default: ${DEFAULT-VALUE}); point Alertmanager's webhook_configs url at "
                    + "http://HOST:PORT/alerts.")
    String listen;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--name", defaultValue = "alert-bridge", description = "Name on the forwarded events (default: ${DEFAULT-VALUE}).")
    String name;

    @Mixin
    WebhookToken webhookToken = new WebhookToken();

    @Option(names = "--telemetry-key", paramLabel = "FILE",
            description = "Sign what is forwarded with this Ed25519 private key (from 'faultline keys'; its id is the "
                    + "file's name). A run given --agent-keys believes only signed alerts: give it the .pub too.")
    Path telemetryKey;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Topics topics = kafka.topics();
        InetSocketAddress address = Addresses.parse("--listen", listen);
        String token = webhookToken.token();
        TelemetrySigner signer = null;
        if (telemetryKey != null) {
            try {
                signer = KeyFiles.telemetrySigner(telemetryKey);
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalArgumentException("--telemetry-key " + telemetryKey + ": " + e.getMessage());
            }
        } else {
            log.warn("forwarding alerts unsigned: a run with --agent-keys will not believe them (give --telemetry-key)");
        }
        TelemetrySigner signing = signer;
        try (Admin admin = KafkaClients.admin(kafka.connection())) {
            KafkaClients.checkReachable(admin, kafka.bootstrapServers, Duration.ofSeconds(15));
            KafkaClients.ensureFaultlineTopics(admin, topics);
        }
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "alert-bridge-stop"));
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(kafka.connection(), "faultline-" + name);
             AlertReceiver receiver = new AlertReceiver(address, Clock.systemUTC(), name, token,
                     notices -> forward(producer, topics, signing, notices))) {
            spec.commandLine().getOut().println("alert-bridge listening on " + address.getHostString() + ":"
                    + receiver.port() + "/alerts, forwarding to " + topics.telemetry());
            spec.commandLine().getOut().flush();
            stop.await();
        } catch (IOException e) {
            throw new InfrastructureException("cannot listen on " + listen + ": " + e.getMessage());
        }
        return ExitCodes.PASSED;
    }

    private void forward(KafkaProducer<String, byte[]> producer, Topics topics, TelemetrySigner signer,
                         List<AlertNotice> notices) {
        for (AlertNotice n : notices) {
            AlertEvent e = new AlertEvent(null, name, n.receivedAt(), n.alertname(),
                    n.firing() ? AlertEvent.Status.FIRING : AlertEvent.Status.RESOLVED, n.labels(), n.fingerprint(),
                    n.startsAt(), n.endsAt());
            byte[] value = Json.encode(e);
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(topics.telemetry(), e.recordKey(), value);
            if (signer != null) {
                signer.headers(value).forEach((header, bytes) -> record.headers().add(header, bytes));
            }
            producer.send(record, (md, ex) -> {
                if (ex != null) {
                    log.warn("alert {} not forwarded: {}", n.alertname(), ex.toString());
                }
            });
            log.info("forwarded {} {}", n.alertname(), n.firing() ? "firing" : "resolved");
        }
    }
}
