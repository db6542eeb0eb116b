package io.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.cli.SchemaCheck;
import io.faultline.demo.DemoCluster;
import io.faultline.engine.GameDay;
import io.faultline.engine.RunResult;
import io.faultline.engine.RunOptions;
import io.faultline.engine.KafkaClients;
import io.faultline.protocol.CheckResult;
import io.faultline.protocol.FaultRecord;
import io.faultline.protocol.Topics;
import io.faultline.protocol.Verdict;
import io.faultline.report.Reports;
import io.faultline.scenario.Scenario;
import io.faultline.scenario.ScenarioLoader;
import io.faultline.testkit.TestKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Failover per partition on a real group ({@code scenarios/secondary-listener-crash.yaml}, then an
 * owner's crash): four exactly-once listeners share an input topic of
 * three partitions (three owners, one standby). Killing the standby stops no partition: "no
 * outage", and the failover check passes. Killing an owner stops its partition alone: the
 * verdict names that partition, and its bound contains the moment the group itself handed the
 * partition to another member, as seen by polling the group while the run goes.
 */
class PartitionFailoverIT {
    private static final String GROUP = "parts-listeners";
    private static final String IN = "parts-orders";
    private static final String OUT = "parts-orders.processed";
    private static final String SCENARIO = """
            name: NAME
            targets:
              listener:
                labels: {role: listener}
                pick: PICK
                group: parts-listeners
                topic: parts-orders
            workload:
              canary: {inputTopic: parts-orders, outputTopic: parts-orders.processed, rate: 150, partitions: 3}
            steps:
              - wait: 5s
              - name: kill
                inject:
                  target: listener
                  fault: {type: process.kill, signal: KILL}
                  lease: 30s
              - wait: 10s
              - heal: kill
            drain: 15s
            checks:
              failover: 20s
            """;

    @Test
    void killingAStandbyStopsNothingAndKillingAnOwnerStopsItsPartitionAlone() throws Exception {
        String bootstrap = TestKafka.bootstrapServers();
        Path work = Files.createTempDirectory("faultline-parts");
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            Topics topics = Topics.defaults();
            KafkaClients.ensureTopics(admin, Map.of(topics.commands(), 1, topics.telemetry(), 1, topics.verdicts(), 1,
                    IN, 3, OUT, 3));
            try (DemoCluster cluster = DemoCluster.start(bootstrap, 4,
                    DemoCluster.ListenerSettings.demo("exactly-once", GROUP, IN, OUT), work, "parts-")) {
                cluster.awaitGroup(admin, GROUP, 4, Duration.ofSeconds(90));
                RunOptions options = new RunOptions(bootstrap, topics, Duration.ofSeconds(30),
                        Duration.ofSeconds(5), Duration.ofSeconds(15), System.out, cluster.signer());
                Clock clock = Clock.systemUTC();

                String library = Files.readString(Path.of("..", "scenarios", "secondary-listener-crash.yaml"))
                        .replace("order-listeners", GROUP).replace("orders.processed", "@OUT@")
                        .replaceAll("\\borders\\b", IN).replace("@OUT@", OUT);
                Verdict standby = SchemaCheck.conforming(new GameDay(options, clock).run(ScenarioLoader.parse(
                        Path.of("secondary-listener-crash.yaml"), library), GameDay.newRunId("kill-standby", clock)).verdict());
                System.out.println(Reports.summary(standby));
                FaultRecord.Failover none = standby.faults().get(0).failover();
                assertThat(none.outage()).as("a member that owns nothing stops nothing").isFalse();
                assertThat(none.partitions()).isEmpty();
                assertThat(check(standby, "failover[kill-standby]").passed()).isTrue();
                assertThat(check(standby, "failover[kill-standby]").summary()).contains("no outage");
                assertThat(check(standby, "throughput[kill-standby]").passed()).isTrue();
                assertThat(standby.status()).isEqualTo(Verdict.Status.PASSED);

                // The killed standby stays dead: wait for the three owners alone to be stable.
                DemoCluster.awaitGroup(admin, GROUP, 3, Duration.ofSeconds(60), List.of(), work);
                OwnerWatch watch = new OwnerWatch(admin);
                Thread poller = new Thread(watch, "owner-watch");
                poller.setDaemon(true);
                poller.start();
                // Truth under load: two busy loops keep both cores of the host busy for the whole
                // game-day, and 8 s after the kill a surviving owner is frozen for a second (a
                // stall on a loaded host), which is not the failover.
                Stall stall = new Stall(work, watch);
                Thread staller = new Thread(stall, "stall");
                staller.setDaemon(true);
                staller.start();
                List<Thread> hogs = CpuHog.start(2);
                Verdict owner;
                try {
                    owner = SchemaCheck.conforming(new GameDay(options, clock).run(scenario("kill-owner", "partition-owner"),
                            GameDay.newRunId("kill-owner", clock)).verdict());
                } finally {
                    CpuHog.stop(hogs);
                    watch.stop = true;
                    poller.join(5000);
                    staller.interrupt();
                    staller.join(5000);
                }
                System.out.println(Reports.summary(owner));
                FaultRecord fault = owner.faults().get(0);
                FaultRecord.Failover f = fault.failover();
                assertThat(f.outage()).isTrue();
                assertThat(f.recovered()).isTrue();
                String killedClient = fault.agentId().replace("agent", "listener");
                int stopped = watch.ownedBy(killedClient);
                assertThat(f.partitions()).extracting(FaultRecord.PartitionGap::partition)
                        .as("the killed owner's partition stopped").contains(stopped);
                Instant handedOver = watch.handedOver(stopped, killedClient);
                assertThat(handedOver).as("the group moved partition %d away from %s", stopped, killedClient)
                        .isNotNull();
                long takeoverMs = Duration.between(fault.invokedAt(), handedOver).toMillis();
                System.out.printf("partition %d handed over %d ms after the kill; failover bound %d-%d ms%n", stopped,
                        takeoverMs, f.lowerMs(), f.upperMs());
                assertThat(f.upperMs()).as("the partition flows again only once it has a new owner")
                        .isGreaterThanOrEqualTo(takeoverMs - 250);
                assertThat(f.upperMs()).as("and soon after").isLessThanOrEqualTo(takeoverMs + 5000);
                // The verdict's own account of the hand-over, from the group, agrees with the test's.
                FaultRecord.PartitionGap gap = f.partitions().stream().filter(p -> p.partition() == stopped)
                        .findFirst().orElseThrow();
                assertThat(gap.ownerBefore()).isEqualTo(killedClient);
                assertThat(gap.ownerAfter()).isEqualTo(watch.newOwner(stopped, killedClient));
                assertThat(gap.handedOverAt()).isBetween(handedOver.minusMillis(600), handedOver.plusMillis(1500));
                assertThat(check(owner, "failover[kill]").summary()).contains("partition " + stopped);
                assertThat(stall.from).as("a surviving owner was frozen 8 s after the kill").isNotNull();
                assertThat(f.recoveredAt()).as("the failover ended before the stall began").isBefore(stall.from);
                int frozen = watch.ownedBy(stall.client);
                assertThat(f.others()).as("the stall of partition %d is reported beside the failover", frozen)
                        .anySatisfy(d -> {
                            assertThat(d.partitions()).contains(frozen);
                            assertThat(d.from()).isBetween(stall.from.minusMillis(500), stall.to);
                        });
                assertThat(owner.canary().lost()).isZero();
                assertThat(owner.canary().duplicated()).isZero();

                // A graceful hand-over: SIGTERM to an owner of the two left. It leaves the group and
                // the other takes its partitions over in well under the outage threshold: a short
                // outage with a bound that holds the group's own hand-over, not "no outage".
                DemoCluster.awaitGroup(admin, GROUP, 2, Duration.ofSeconds(90), List.of(), work);
                OwnerWatch graceful = new OwnerWatch(admin);
                Verdict term = underLoad(graceful, () -> new GameDay(options, clock).run(
                        scenario("term-owner", "partition-owner", "TERM"), GameDay.newRunId("term-owner", clock)));
                handOverWithin(term, graceful, "SIGTERM");
                assertThat(check(term, "failover[kill]").summary()).startsWith("recovered ");
                assertThat(term.canary().lost()).isZero();
            }
        }
    }

    @Test
    void aRestartedOwnerRejoinsAfterItsFailoverAndTheRejoinIsAFigureOfItsOwn() throws Exception {
        String bootstrap = TestKafka.bootstrapServers();
        Path work = Files.createTempDirectory("faultline-restart");
        String group = "rst-listeners";
        String in = "rst-orders";
        String out = "rst-orders.processed";
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            Topics topics = Topics.defaults();
            KafkaClients.ensureTopics(admin, Map.of(topics.commands(), 1, topics.telemetry(), 1, topics.verdicts(), 1,
                    in, 3, out, 3));
            // Each listener runs under its agent (--exec), which starts it again on heal.
            try (DemoCluster cluster = DemoCluster.startSupervised(bootstrap, 3,
                    DemoCluster.ListenerSettings.demo("exactly-once", group, in, out), work, "rst-")) {
                cluster.awaitGroup(admin, group, 3, Duration.ofSeconds(90));
                RunOptions options = new RunOptions(bootstrap, topics, Duration.ofSeconds(30),
                        Duration.ofSeconds(5), Duration.ofSeconds(15), System.out, cluster.signer());
                Clock clock = Clock.systemUTC();
                String yaml = SCENARIO.replace("NAME", "restart-owner").replace("PICK", "partition-owner")
                        .replace("signal: KILL", "signal: KILL, restart: true")
                        .replace("parts-listeners", group).replace("parts-orders.processed", out)
                        .replace("parts-orders", in);
                OwnerWatch watch = new OwnerWatch(admin, group);
                Verdict v = underLoad(watch, () -> new GameDay(options, clock).run(ScenarioLoader.parse(
                        Path.of("restart-owner.yaml"), yaml), GameDay.newRunId("restart-owner", clock)));
                FaultRecord fault = v.faults().get(0);
                String killed = fault.agentId().replace("agent", "listener");
                // The failover is the takeover, not the restarted member's rejoin after heal.
                FaultRecord.Failover f = handOverWithin(v, watch, "the kill");
                System.out.println("after heal: " + f.afterHeal());
                assertThat(f.recoveredAt()).as("recovered before the heal started the member again")
                        .isBefore(fault.undoneAt());
                assertThat(watch.ownerSince(killed, fault.undoneAt())).as("the restarted %s rejoined and owns a "
                        + "partition again", killed).isNotNull();
                if (f.afterHeal() != null) {
                    assertThat(f.afterHeal().from()).as("the rejoin pause is after the heal")
                            .isAfterOrEqualTo(fault.undoneAt().minusMillis(500));
                }
                assertThat(check(v, "failover[kill]").passed()).as(check(v, "failover[kill]").summary()).isTrue();
                assertThat(v.canary().lost()).isZero();
            }
        }
    }

    /**
     * Runs a game-day while {@code watch} polls the group and two busy loops keep both cores of
     * the host busy: attribution must not depend on a quiet machine.
     */
    private static Verdict underLoad(OwnerWatch watch, Callable<RunResult> gameDay) throws Exception {
        Thread poller = new Thread(watch, "owner-watch");
        poller.setDaemon(true);
        poller.start();
        List<Thread> hogs = CpuHog.start(2);
        try {
            Verdict v = SchemaCheck.conforming(gameDay.call().verdict());
            System.out.println(Reports.summary(v));
            return v;
        } finally {
            CpuHog.stop(hogs);
            watch.stop = true;
            poller.join(5000);
        }
    }

    /**
     * The verdict's failover of its one fault, checked against the group's own account: an outage
     * of the partition the signalled member owned, that ends once the group handed it over.
     */
    private static FaultRecord.Failover handOverWithin(Verdict v, OwnerWatch watch, String what) {
        FaultRecord fault = v.faults().get(0);
        FaultRecord.Failover f = fault.failover();
        String member = fault.agentId().replace("agent", "listener");
        // The member may have owned more than one partition; each it owned is handed over, and a
        // hand-over quick enough to stay under the outage threshold is rightly not an outage.
        List<Integer> owned = watch.allOwnedBy(member);
        assertThat(f.outage()).as("the hand-over of %s stopped a partition", owned).isTrue();
        assertThat(f.recovered()).isTrue();
        List<Integer> stopped = f.partitions().stream().map(FaultRecord.PartitionGap::partition).toList();
        assertThat(owned).as("the stopped partitions were the signalled member's").containsAll(stopped);
        for (int partition : stopped) {
            Instant taken = watch.handedOver(partition, member);
            assertThat(taken).as("the group moved partition %d away from %s", partition, member).isNotNull();
            long handOverMs = Duration.between(fault.invokedAt(), taken).toMillis();
            System.out.printf("partition %d handed over %d ms after %s; failover bound %d-%d ms%n", partition,
                    handOverMs, what, f.lowerMs(), f.upperMs());
            assertThat(f.upperMs()).as("partition %d flows again only once it has a new owner", partition)
                    .isGreaterThanOrEqualTo(handOverMs - 250);
            assertThat(f.upperMs()).as("and soon after").isLessThanOrEqualTo(handOverMs + 5000);
        }
        return f;
    }

    private static Scenario scenario(String name, String pick) throws Exception {
        return scenario(name, pick, "KILL");
    }

    private static Scenario scenario(String name, String pick, String signal) throws Exception {
        return ScenarioLoader.parse(Path.of(name + ".yaml"), SCENARIO.replace("NAME", name).replace("PICK", pick)
                .replace("signal: KILL", "signal: " + signal));
    }

    private static CheckResult check(Verdict v, String name) {
        return v.checks().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no check " + name + " in " + v.checks()));
    }

    /**
     * Waits for one of the live listeners to die (the run's kill), then 8 s later freezes another
     * live listener that owns a partition with SIGSTOP for one second, and lets it go on.
     */
    private static final class Stall implements Runnable {
        private final Path work;
        private final OwnerWatch watch;
        volatile String client;
        volatile Instant from;
        volatile Instant to;

        Stall(Path work, OwnerWatch watch) {
            this.work = work;
            this.watch = watch;
        }

        @Override
        public void run() {
            try {
                Map<String, ProcessHandle> live = new ConcurrentHashMap<>();
                for (int i = 1; i <= 4; i++) {
                    String name = "parts-listener-" + i;
                    Path pid = work.resolve(name + ".pid");
                    if (Files.exists(pid)) {
                        ProcessHandle.of(Long.parseLong(Files.readString(pid).trim())).filter(ProcessHandle::isAlive)
                                .ifPresent(h -> live.put(name, h));
                    }
                }
                Instant deadline = Instant.now().plusSeconds(120);
                while (live.values().stream().allMatch(ProcessHandle::isAlive)) {
                    if (Instant.now().isAfter(deadline)) {
                        return;
                    }
                    Thread.sleep(20);
                }
                Instant killed = Instant.now();
                Thread.sleep(Math.max(0, Duration.between(Instant.now(), killed.plusSeconds(8)).toMillis()));
                for (Map.Entry<String, ProcessHandle> e : live.entrySet()) {
                    if (e.getValue().isAlive() && watch.ownedBy(e.getKey()) >= 0) {
                        client = e.getKey();
                        String pid = Long.toString(e.getValue().pid());
                        signal("STOP", pid);
                        from = Instant.now();
                        try {
                            Thread.sleep(1000);
                        } finally {
                            signal("CONT", pid);
                            to = Instant.now();
                        }
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        private static void signal(String signal, String pid) throws Exception {
            new ProcessBuilder("kill", "-" + signal, pid).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Busy loops, one per thread, to load the host's cores while a game-day runs. */
    private static final class CpuHog {
        static volatile long sink;

        static List<Thread> start(int n) {
            List<Thread> out = new CopyOnWriteArrayList<>();
            for (int i = 0; i < n; i++) {
                Thread t = new Thread(() -> {
                    long x = 0;
                    while (!Thread.currentThread().isInterrupted()) {
                        x += System.nanoTime() % 7;
                    }
                    sink = x;
                }, "cpu-hog-" + i);
                t.setDaemon(true);
                t.start();
                out.add(t);
            }
            return out;
        }

        static void stop(List<Thread> hogs) throws InterruptedException {
            for (Thread t : hogs) {
                t.interrupt();
                t.join(5000);
            }
        }
    }

    /** Polls the group every 50 ms and keeps, per partition, each owner (client id) it saw and since when. */
    private static final class OwnerWatch implements Runnable {
        private final Admin admin;
        private final Map<Integer, List<Map.Entry<String, Instant>>> owners = new ConcurrentHashMap<>();
        volatile boolean stop;

        private final String group;

        OwnerWatch(Admin admin) {
            this(admin, GROUP);
        }

        OwnerWatch(Admin admin, String group) {
            this.admin = admin;
            this.group = group;
        }

        @Override
        public void run() {
            while (!stop) {
                try {
                    var d = admin.describeConsumerGroups(List.of(group)).all().get(5, TimeUnit.SECONDS).get(group);
                    Instant now = Instant.now();
                    for (MemberDescription m : d.members()) {
                        for (TopicPartition tp : m.assignment().topicPartitions()) {
                            var seen = owners.computeIfAbsent(tp.partition(), p -> new CopyOnWriteArrayList<>());
                            if (seen.isEmpty() || !seen.get(seen.size() - 1).getKey().equals(m.clientId())) {
                                seen.add(Map.entry(m.clientId(), now));
                            }
                        }
                    }
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // Keep polling: a describe can fail while the group rebalances.
                }
            }
        }

        /** The partition {@code client} was last seen owning first (the one it held before any change); -1 if none. */
        /** Every partition whose first seen owner was {@code client}. */
        List<Integer> allOwnedBy(String client) {
            List<Integer> all = new ArrayList<>();
            for (Map.Entry<Integer, List<Map.Entry<String, Instant>>> e : owners.entrySet()) {
                List<Map.Entry<String, Instant>> seen = e.getValue();
                if (!seen.isEmpty() && seen.get(0).getKey().equals(client)) {
                    all.add(e.getKey());
                }
            }
            return all;
        }

        int ownedBy(String client) {
            for (Map.Entry<Integer, List<Map.Entry<String, Instant>>> e : owners.entrySet()) {
                List<Map.Entry<String, Instant>> seen = e.getValue();
                if (!seen.isEmpty() && seen.get(0).getKey().equals(client)) {
                    return e.getKey();
                }
            }
            return -1;
        }

        /** When {@code client} was first seen owning a partition at or after {@code since}; null if never. */
        Instant ownerSince(String client, Instant since) {
            Instant first = null;
            for (List<Map.Entry<String, Instant>> seen : owners.values()) {
                for (Map.Entry<String, Instant> e : seen) {
                    if (e.getKey().equals(client) && !e.getValue().isBefore(since)
                            && (first == null || e.getValue().isBefore(first))) {
                        first = e.getValue();
                    }
                }
            }
            return first;
        }

        /** The member {@code partition} was first seen owned by after {@code from}. */
        String newOwner(int partition, String from) {
            Map.Entry<String, Instant> next = handOff(partition, from);
            return next == null ? null : next.getKey();
        }

        /** When {@code partition} was first seen owned by another member after {@code from}. */
        Instant handedOver(int partition, String from) {
            Map.Entry<String, Instant> next = handOff(partition, from);
            return next == null ? null : next.getValue();
        }

        /** The first owner of {@code partition} seen after {@code from}, with since when; null if none. */
        private Map.Entry<String, Instant> handOff(int partition, String from) {
            boolean wasFrom = false;
            for (Map.Entry<String, Instant> e : owners.getOrDefault(partition, List.of())) {
                if (e.getKey().equals(from)) {
                    wasFrom = true;
                } else if (wasFrom) {
                    return e;
                }
            }
            return null;
        }
    }
}
