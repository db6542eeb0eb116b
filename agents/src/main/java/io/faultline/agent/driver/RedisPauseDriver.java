package io.faultline.agent.driver;

import io.faultline.protocol.RedisAddress;
import io.faultline.protocol.RedisPauseFault;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.args.ClientPauseMode;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Executes {@code redis.pause} with {@code CLIENT PAUSE ms WRITE|ALL}; undo sends
 * {@code CLIENT UNPAUSE}. The server ends the pause by itself after the fault's duration.
 */
public final class RedisPauseDriver implements FaultDriver<RedisPauseFault> {
    private static final JedisClientConfig CLIENT = DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(2_000).socketTimeoutMillis(2_000).clientName("faultline-agent").build();

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

    @Override
    public Applied apply(String commandId, RedisPauseFault fault) throws FaultException {
        String address = address(fault.address(), defaultAddress);
        ClientPauseMode mode = fault.mode() == RedisPauseFault.Mode.ALL ? ClientPauseMode.ALL : ClientPauseMode.WRITE;
        call(address, j -> j.clientPause(fault.duration().toMillis(), mode));
        String detail = "CLIENT PAUSE " + fault.duration().toMillis() + " " + mode + " on " + address;
        return new Applied() {
            @Override
            public String detail() {
                return detail;
            }

            @Override
            public String undo() throws FaultException {
                call(address, Jedis::clientUnpause);
                return "CLIENT UNPAUSE on " + address;
            }
        };
    }

    /** The fault's address, else the agent's own Redis. */
    static String address(String fromFault, String defaultAddress) throws FaultException {
        String a = fromFault != null ? fromFault : defaultAddress;
        if (a == null) {
            throw new FaultException("the fault names no Redis address and this agent has none (start it with --redis)");
        }
        return a;
    }

    private static void call(String address, java.util.function.Consumer<Jedis> command) throws FaultException {
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
