package io.faultline.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.util.List;

/**
 * Stalls a Redis server's clients with {@code CLIENT PAUSE}: {@code write} holds back writes,
 * {@code all} every command. Redis itself ends the pause after {@code duration}, so a pause
 * cannot outlive it even if the agent dies; heal ends it earlier.
 *
 * @param address host:port of the server; null for the Redis the agent was started with
 */
public record RedisPauseFault(String address, Mode mode, Duration duration) implements FaultSpec {
    public static final String TYPE = "redis.pause";
    public static final Duration DEFAULT_DURATION = Duration.ofMinutes(1);

    /** Which commands the pause holds back. */
    public enum Mode {
        @JsonProperty("write") WRITE,
        @JsonProperty("all") ALL
    }

    public RedisPauseFault {
        address = RedisAddress.check("address", address);
        mode = mode == null ? Mode.WRITE : mode;
        duration = duration == null ? DEFAULT_DURATION : Checks.positive("duration", duration);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> requires() {
        return List.of(Capability.REDIS);
    }
}
