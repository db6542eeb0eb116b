package io.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.cli.SchemaCheck;
import io.faultline.engine.AlertSources;
import io.faultline.engine.GameDay;
import io.faultline.engine.RunOptions;
import io.faultline.protocol.Json;
import io.faultline.protocol.Topics;
import io.faultline.protocol.Verdict;
import io.faultline.scenario.Scenario;
import io.faultline.scenario.ScenarioLoader;
import io.faultline.testkit.TestKafka;
import io.faultline.testkit.TestKeys;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A service Faultline did not write, with its own payloads: a payments service reads
 * {@code {"paymentId": ..., "amount": ...}} with an {@code x-correlation-id} header and writes
 * {@code {"paymentId": ..., "status": "SETTLED"}}, keyed by the payment, the header copied. The
 * canary adapters describe both ends; a run through it passes with every canary found, and a
 * scenario that looks for the id in the wrong place ends at preflight saying what did arrive.
 */
class CanaryAdapterIT {
    private final String prefix = "adapter-" + UUID.randomUUID().toString().substring(0, 8);
    private final String in = prefix + ".payments";
    private final String out = prefix + ".payments.settled";
    private Thread service;
    private volatile KafkaConsumer<String, byte[]> serviceConsumer;
    private volatile boolean running = true;

    @BeforeEach
    void startThePaymentsService() throws Exception {
        String bootstrap = TestKafka.bootstrapServers();
        TestKafka.createTopics(Map.of(in, 1, out, 1));
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, prefix + "-payments");
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pp.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        serviceConsumer = new KafkaConsumer<>(cp);
        service = new Thread(() -> {
            try (KafkaConsumer<String, byte[]> c = serviceConsumer; KafkaProducer<String, byte[]> p = new KafkaProducer<>(pp)) {
                c.subscribe(List.of(in));
                while (running) {
                    for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
                        var payment = Json.mapper().readTree(r.value());
                        String paymentId = payment.path("paymentId").asText();
                        byte[] settled = Json.encode(Map.of("paymentId", paymentId, "status", "SETTLED"));
                        ProducerRecord<String, byte[]> o = new ProducerRecord<>(out, "payment-" + paymentId, settled);
                        Header h = r.headers().lastHeader("x-correlation-id");
                        if (h != null) {
                            o.headers().add("x-correlation-id", h.value());
                        }
                        p.send(o);
                    }
                    c.commitSync();
                }
            } catch (WakeupException e) {
                // Stopped.
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "payments-service");
        service.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        running = false;
        serviceConsumer.wakeup();
        service.join(10_000);
    }

    private Verdict run(String output) throws Exception {
        Scenario scenario = ScenarioLoader.parse(Path.of("payments.yaml"), """
                name: payments-canary
                workload:
                  canary:
                    inputTopic: %s
                    outputTopic: %s
                    rate: 100
                    preflightTimeout: 15s
                    input:
                      key: "{id}"
                      value: '{"paymentId": "{id}", "amount": {seq}, "note": "{padding}"}'
                      padTo: 256
                      headers: {x-correlation-id: "{id}"}
                    output: %s
                steps:
                  - wait: 3s
                """.formatted(in, out, output));
        String bootstrap = TestKafka.bootstrapServers();
        RunOptions d = RunOptions.defaults(bootstrap, System.out, TestKeys.signer());
        GameDay gameDay = new GameDay(new RunOptions(bootstrap, new Topics(prefix + "."), Duration.ofSeconds(10),
                d.heartbeatMaxAge(), d.commandTimeout(), System.out, d.signer()), AlertSources.NONE,
                Clock.systemUTC());
        return SchemaCheck.conforming(gameDay.run(scenario, GameDay.newRunId(scenario.name(), Clock.systemUTC())).verdict());
    }

    @Test
    void aTransformingServiceIsVerifiedThroughTheAdapters() throws Exception {
        Verdict header = run("{header: x-correlation-id}");
        assertThat(header.status()).as(header.toString()).isEqualTo(Verdict.Status.PASSED);
        assertThat(header.canary().sent()).isGreaterThan(100);
        assertThat(header.canary().observed()).isEqualTo(header.canary().acknowledged());
        assertThat(header.canary().lost()).isZero();
        assertThat(header.canary().duplicated()).isZero();
        Verdict pointer = run("{jsonPointer: /paymentId}");
        assertThat(pointer.status()).as(pointer.toString()).isEqualTo(Verdict.Status.PASSED);
    }

    @Test
    void anExtractorThatNeverMatchesEndsAtPreflightShowingWhatArrived() throws Exception {
        Verdict v = run("{header: x-request-id}");
        assertThat(v.status()).isEqualTo(Verdict.Status.ERROR);
        assertThat(v.reason()).contains("canary traffic does not flow end to end: sent ")
                .contains("record(s) arrived on " + out + ", none carrying a canary id of this run in header "
                        + "x-request-id; the first: partition 0 offset ")
                .contains("headers={x-correlation-id=payments-canary-")
                .contains("value={", "\"paymentId\":\"payments-canary-", "\"status\":\"SETTLED\"");
        System.out.println("preflight said: " + v.reason());
        assertThat(v.reason()).doesNotContain("Exception");
    }
}
