package io.faultline.demo;

import io.faultline.broker.EmbeddedKafka;
import io.faultline.engine.InfrastructureException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's lab for the drills that need hosts of their own (network faults, Redis): a
 * {@link HostLab} with one namespace per listener ({@code listener-N}) and, where the drill uses
 * Redis, one for {@code redis-server} and its agent ({@code role=redis}); the broker listens on
 * the lab's bridge, so every host reaches it over a link a fault can cut. Everything it starts
 * stops, and its namespaces go, on {@link #close()}, also on Ctrl-C.
 */
public final class HostDrills implements AutoCloseable {
    /** The demo's own names and subnet, apart from any other lab on the machine. */
    public static final HostLab.Layout LAYOUT = new HostLab.Layout("fld-", "fldbr0", "fldv", "10.78.0");
    private static final int REDIS_PORT = 6379;

    private final Path work;
    private final boolean redis;
    private final List<AutoCloseable> started = new ArrayList<>();
    private HostLab lab;
    private EmbeddedKafka kafka;

    private HostDrills(Path work, boolean redis) {
        this.work = work;
        this.redis = redis;
    }

    /** What this machine lacks for the lab; empty when it can build it. */
    public static List<String> missing(boolean redis) {
        return HostLab.missing(redis ? List.of("tc", "redis-server") : List.of("tc"));
    }

    /**
     * Builds the lab for {@code listeners} listener hosts (and Redis when {@code redis}), starts the
     * broker on its bridge and, with Redis, {@code redis-server} on its host.
     */
    public static HostDrills open(Path work, int listeners, boolean redis)
            throws IOException, InterruptedException, InfrastructureException {
        HostDrills d = new HostDrills(work, redis);
        Runtime.getRuntime().addShutdownHook(new Thread(d::close, "host-drills-stop"));
        try {
            List<String> hosts = new ArrayList<>();
            for (int i = 1; i <= listeners; i++) {
                hosts.add("listener-" + i);
            }
            if (redis) {
                hosts.add("redis");
            }
            Files.createDirectories(work);
            d.lab = HostLab.build(LAYOUT, hosts);
            d.kafka = EmbeddedKafka.start(work.resolve("kafka"), d.lab.gateway());
            if (redis) {
                Process server = d.lab.spawn("redis", work.resolve("redis.log"), "redis-server", "--port",
                        Integer.toString(REDIS_PORT), "--bind", "0.0.0.0", "--protected-mode", "no", "--save", "",
                        "--appendonly", "no");
                d.started.add(() -> ChildJvm.stop(server, Duration.ofSeconds(5)));
                d.awaitRedis(server, Duration.ofSeconds(30));
            }
        } catch (IOException | InterruptedException | InfrastructureException | RuntimeException e) {
            d.close();
            throw e;
        }
        return d;
    }

    private void awaitRedis(Process server, Duration timeout) throws InfrastructureException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new InfrastructureException("redis-server exited with code " + server.exitValue() + "; see "
                        + work.resolve("redis.log"));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(lab.ip("redis"), REDIS_PORT), 1000);
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new InfrastructureException("redis-server did not listen within " + timeout.toSeconds() + " s; see "
                + work.resolve("redis.log"));
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** The Redis server's address, {@code IP:PORT}; null when the lab has no Redis. */
    public String redisAddress() {
        return redis ? lab.ip("redis") + ":" + REDIS_PORT : null;
    }

    /**
     * Each listener and its agent on the listener's own host; with Redis, the listeners cache
     * through it and report their circuit on {@code telemetryTopic}.
     */
    public DemoCluster.Placement placement(String telemetryTopic) {
        List<String> options = redis ? List.of("--redis", redisAddress(), "--telemetry-topic", telemetryTopic)
                : List.of();
        return new DemoCluster.Placement(lab::launcher, options);
    }

    /**
     * Starts the agent beside Redis ({@code agent-redis}, labels {@code role=redis}), trusting
     * {@code publicKey}, its telemetry key in {@code agentKeys}; its log in the work directory.
     */
    public String startRedisAgent(Path publicKey, Path agentKeys) throws IOException {
        if (!redis) {
            throw new IllegalStateException("this lab has no Redis");
        }
        String id = "agent-redis";
        List<String> args = List.of("agent", "--id", id, "--label", "role=redis", "--label", "host=redis",
                "--redis", redisAddress(), "--bootstrap-servers", bootstrapServers(),
                "--public-key", publicKey.toAbsolutePath().toString(),
                "--state-dir", work.resolve("state").resolve(id).toString(), "--heartbeat-interval-ms", "500",
                "--telemetry-key", DemoCluster.telemetryKey(agentKeys, id).toString(), "--exit-with-parent");
        Process agent = ChildJvm.start(lab.launcher("redis"), "io.faultline.cli.Faultline", List.of("-Xmx96m"), args,
                work.resolve(id + ".log"));
        started.add(() -> ChildJvm.stop(agent, Duration.ofSeconds(10)));
        return id;
    }

    /**
     * Has {@code c} (the listeners and their agents) stopped first when the lab closes, also on
     * Ctrl-C, so that its agents undo what they hold before the namespaces go.
     */
    public synchronized <T extends AutoCloseable> T adopt(T c) {
        started.add(c);
        return c;
    }

    /** Stops what it adopted and the Redis agent first (they undo what they hold), then Redis, the broker, and removes the lab. */
    @Override
    public synchronized void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                // Stopping anyway: the lab's teardown ends whatever is left in its namespaces.
            }
        }
        started.clear();
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
        if (lab != null) {
            lab.close();
            lab = null;
        }
    }
}
