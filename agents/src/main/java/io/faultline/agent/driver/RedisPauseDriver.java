package io.faultline.agent.driver;

import io.faultline.protocol.RedisAddress;
import io.faultline.protocol.Durations;
import io.faultline.protocol.RedisPauseFault;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.args.ClientPauseMode;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Executes {@code redis.pause} with {@code CLIENT PAUSE}. The server ends a pause by itself, so a
 * pause never outlives its duration even if the agent dies.
 *
 * <p>{@code write}: one pause for the fault's duration; undo sends {@code CLIENT UNPAUSE}, which
 * is not a write and so is served at once. {@code all}: Redis 7.0 holds back every command
 * during such a pause, {@code CLIENT UNPAUSE} included, so the pause is held as back-to-back
 * slices of {@link #SLICE}; undo stops renewing and the pause ends within one slice. Commands
 * queued during a slice run when it ends, so under {@code all} each command waits up to a slice.
 */
public final class RedisPauseDriver implements FaultDriver<RedisPauseFault> {
    private static final JedisClientConfig CLIENT = DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(2_000).socketTimeoutMillis(2_000).clientName("faultline-agent").build();

    static final Duration SLICE = Duration.ofSeconds(1);

    private final String defaultAddress;

    /** @param defaultAddress the Redis this agent sits beside ({@code host:port}), or null */
    public RedisPauseDriver(String defaultAddress) {
        this.defaultAddress = defaultAddress;
    }

    @Override
    public Class<RedisPauseFault> faultClass() {
        return RedisPauseFault.class;
    }

    @Override
    public String faultType() {
        return RedisPauseFault.TYPE;
    }

    /** Redis ends a pause by itself: one no longer than the lease ends even if this agent dies. */
    @Override
    public Applied apply(String commandId, RedisPauseFault fault, Duration lease) throws FaultException {
        if (fault.duration().compareTo(lease) <= 0) {
            return apply(commandId, fault);
        }
        Applied cut = apply(commandId, new RedisPauseFault(fault.address(), fault.mode(), lease));
        String why = " (pause cut from " + Durations.format(fault.duration()) + " to its lease "
                + Durations.format(lease) + ")";
        return Applied.of(cut.detail() + why, () -> {
            return cut.undo();
        });
    }

    @Override
    public Applied apply(String commandId, RedisPauseFault fault) throws FaultException {
        String address = address(fault.address(), defaultAddress);
        if (fault.mode() == RedisPauseFault.Mode.ALL) {
            return pauseAllInSlices(address, fault.duration());
        }
        ClientPauseMode mode = ClientPauseMode.WRITE;
        call(address, j -> j.clientPause(fault.duration().toMillis(), mode));
        String detail = "CLIENT PAUSE " + fault.duration().toMillis() + " " + mode + " on " + address;
        return Applied.of(detail, () -> {
            call(address, Jedis::clientUnpause);
            return "CLIENT UNPAUSE on " + address;
        });
    }

    /** The server ends a pause by itself; UNPAUSE ends a long WRITE pause now (under ALL it waits out the slice). */
    @Override
    public String recover(String commandId, RedisPauseFault fault) throws FaultException {
        String address = address(fault.address(), defaultAddress);
        call(address, Jedis::clientUnpause);
        return "CLIENT UNPAUSE on " + address;
    }

    @Override
    public String sweep() throws FaultException {
        if (defaultAddress == null) {
            return null;
        }
        call(defaultAddress, Jedis::clientUnpause);
        return "CLIENT UNPAUSE on " + defaultAddress;
    }

    private static Applied pauseAllInSlices(String address, Duration duration) throws FaultException {
        long deadline = System.nanoTime() + duration.toNanos();
        Jedis jedis;
        try {
            jedis = new Jedis(new HostAndPort(RedisAddress.host(address), RedisAddress.port(address)), CLIENT);
            jedis.clientPause(SLICE.toMillis(), ClientPauseMode.ALL);
        } catch (JedisException e) {
            throw new FaultException("redis " + address + ": " + e.getMessage());
        }
        AtomicBoolean holding = new AtomicBoolean(true);
        Thread renew = new Thread(() -> {
            try (jedis) {
                while (holding.get() && System.nanoTime() < deadline) {
                    Thread.sleep(SLICE.toMillis() * 9 / 10);
                    if (holding.get()) {
                        // Served when the current slice ends, so the next slice follows at once.
                        jedis.clientPause(Math.min(SLICE.toMillis(), Math.max(1, (deadline - System.nanoTime()) / 1_000_000)),
                                ClientPauseMode.ALL);
                    }
                }
            } catch (JedisException | InterruptedException e) {
                // The pause ends on its own within a slice.
            }
        }, "redis-pause-" + address);
        renew.setDaemon(true);
        renew.start();
        return Applied.of("CLIENT PAUSE ALL on " + address + " for " + duration.toMillis() + " ms, held in "
                        + SLICE.toMillis() + " ms slices", () -> {
            holding.set(false);
            try {
                renew.join(SLICE.toMillis() * 3);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "stopped renewing the pause on " + address + "; it ends within " + SLICE.toMillis() + " ms";
        });
    }

    /** The fault's address, else the agent's own Redis. */
    static String address(String fromFault, String defaultAddress) throws FaultException {
        String a = fromFault != null ? fromFault : defaultAddress;
        if (a == null) {
            throw new FaultException("the fault names no Redis address and this agent has none (start it with --redis)");
        }
        return a;
    }

    private static void call(String address, Consumer<Jedis> command) throws FaultException {
        try (Jedis jedis = new Jedis(new HostAndPort(RedisAddress.host(address), RedisAddress.port(address)), CLIENT)) {
            command.accept(jedis);
        } catch (JedisException e) {
            throw new FaultException("redis " + address + ": " + e.getMessage());
        }
    }

    /** True if the server answers PING within a second. */
    public static boolean reachable(String address) {
        JedisClientConfig quick = DefaultJedisClientConfig.builder().connectionTimeoutMillis(1_000)
                .socketTimeoutMillis(1_000).build();
        try (Jedis jedis = new Jedis(new HostAndPort(RedisAddress.host(address), RedisAddress.port(address)), quick)) {
            return "PONG".equals(jedis.ping());
        } catch (JedisException e) {
            return false;
        }
    }
}
