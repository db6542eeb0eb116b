package io.faultline.examples;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The listener's Redis cache of recently processed orders ({@code order:<value>} to the instance
 * that processed it, for ten minutes), which other services read. Every write goes through a
 * resilience4j circuit breaker: when Redis is down or slow the breaker opens and orders are
 * processed without the cache write, because losing a cache entry is better than stalling the
 * stream. State changes are handed to a listener (the telemetry topic, in the main program).
 */
public final class RedisCache implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisCache.class);
    private static final long ENTRY_TTL_SECONDS = 600;

    private final JedisPooled jedis;
    private final CircuitBreaker breaker;
    private final String instance;
    private long written;
    private long skipped;

    /** Outcome of caching one batch. */
    public enum Outcome {
        CACHED, SKIPPED;

        byte[] header() {
            return name().toLowerCase().getBytes(StandardCharsets.UTF_8);
        }
    }

    /**
     * @param timeout    connect and read timeout of each Redis call
     * @param onTransition called with (from, to) on every breaker state change
     */
    public RedisCache(String hostPort, String instance, Duration timeout,
                      BiConsumer<CircuitBreaker.State, CircuitBreaker.State> onTransition) {
        int colon = hostPort.lastIndexOf(':');
        this.jedis = new JedisPooled(new HostAndPort(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))),
                DefaultJedisClientConfig.builder().connectionTimeoutMillis((int) timeout.toMillis())
                        .socketTimeoutMillis((int) timeout.toMillis()).clientName(instance).build());
        this.instance = instance;
        this.breaker = CircuitBreaker.of("redis", breakerConfig(timeout));
        breaker.getEventPublisher().onStateTransition(e -> {
            log.info("{}: redis circuit {}", instance, e.getStateTransition());
            onTransition.accept(e.getStateTransition().getFromState(), e.getStateTransition().getToState());
        });
    }

    /**
     * Opens after half of the last ten calls (at least five) failed or took longer than half the
     * timeout; tries again with three calls two seconds later.
     */
    static CircuitBreakerConfig breakerConfig(Duration timeout) {
        return CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(10)
                .minimumNumberOfCalls(5)
                .failureRateThreshold(50)
                .slowCallDurationThreshold(timeout.dividedBy(2))
                .slowCallRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(2))
                .permittedNumberOfCallsInHalfOpenState(3)
                .recordExceptions(JedisException.class)
                .build();
    }

    /** Caches the batch in one pipelined round trip, unless the breaker says not to try. */
    public Outcome cache(List<ConsumerRecord<byte[], byte[]>> batch) {
        try {
            breaker.executeRunnable(() -> {
                try (Pipeline p = jedis.pipelined()) {
                    for (ConsumerRecord<byte[], byte[]> r : batch) {
                        p.setex("order:" + new String(r.value(), StandardCharsets.UTF_8), ENTRY_TTL_SECONDS, instance);
                    }
                    p.sync();
                }
            });
            written += batch.size();
            return Outcome.CACHED;
        } catch (CallNotPermittedException | JedisException e) {
            skipped += batch.size();
            if (skipped % 100 < batch.size()) {
                log.info("{}: {} orders processed without the cache so far (circuit {})", instance, skipped, breaker.getState());
            }
            return Outcome.SKIPPED;
        }
    }

    public CircuitBreaker.State state() {
        return breaker.getState();
    }

    public long written() {
        return written;
    }

    public long skipped() {
        return skipped;
    }

    @Override
    public void close() {
        jedis.close();
    }
}
