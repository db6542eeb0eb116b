package io.faultline.agent.driver;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.protocol.Direction;
import io.faultline.protocol.NetworkBandwidthFault;
import io.faultline.protocol.NetworkDelayFault;
import io.faultline.protocol.NetworkPartitionFault;
import io.faultline.protocol.Peer;
import io.faultline.protocol.ProcessKillFault;
import io.faultline.protocol.ProcessSelector;
import io.faultline.protocol.RedisOutageFault;
import io.faultline.protocol.RedisPauseFault;
import io.faultline.protocol.RedisThrottleFault;
import io.faultline.protocol.Signal;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which faults' journal records are forced to disk before the apply: every one that outlives the
 * host's kernel. Getting one of these wrong either costs an fsync for nothing or, worse, leaves a
 * fault behind a host crash with no record of it.
 */
class DiesWithHostTest {
    private final CommandRunner never = argv -> {
        throw new AssertionError("nothing is run to answer this: " + argv);
    };

    @Test
    void signalsRulesAndQdiscsGoWithTheHost() {
        ProcessKillDriver process = new ProcessKillDriver(never, null);
        assertThat(process.diesWithHost(new ProcessKillFault(Signal.STOP, ProcessSelector.SERVICE))).isTrue();
        assertThat(process.diesWithHost(new ProcessKillFault(Signal.KILL, ProcessSelector.SERVICE))).isTrue();
        NetworkPartitionDriver partition = new NetworkPartitionDriver(never, new ControlLink() {
            @Override
            public List<Connection> connections() {
                return List.of();
            }

            @Override
            public List<Endpoint> brokers() {
                return List.of();
            }
        });
        assertThat(partition.diesWithHost(new NetworkPartitionFault(Direction.BOTH, null, List.of(new Peer("10.0.0.1/32", null)),
                false, false))).isTrue();
        NetworkBandwidthDriver bandwidth = new NetworkBandwidthDriver(never);
        assertThat(bandwidth.diesWithHost(new NetworkBandwidthFault("eth0", "1mbit", List.of(9092)))).isTrue();
        assertThat(NetemDriver.delay(never).diesWithHost(new NetworkDelayFault(null, Duration.ofMillis(100), null))).isTrue();
        assertThat(new RedisOutageDriver(partition, "10.0.0.2:6379").diesWithHost(new RedisOutageFault(null, null))).isTrue();
        assertThat(new RedisThrottleDriver(bandwidth, "10.0.0.2:6379").diesWithHost(new RedisThrottleFault(null, "1mbit",
                null))).isTrue();
    }

    @Test
    void aRestartAndAnotherSystemsStateOutliveIt() {
        ProcessKillDriver process = new ProcessKillDriver(never, null);
        assertThat(process.diesWithHost(new ProcessKillFault(Signal.KILL, ProcessSelector.SERVICE, true))).isFalse();
        // A pause is held by the Redis server, wherever it runs: the driver's default.
        assertThat(new RedisPauseDriver("10.0.0.2:6379").diesWithHost(new RedisPauseFault(null, null, null))).isFalse();
    }
}
