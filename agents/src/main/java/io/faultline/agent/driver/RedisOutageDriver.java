package io.faultline.agent.driver;

import io.faultline.protocol.Direction;
import io.faultline.protocol.NetworkPartitionFault;
import io.faultline.protocol.Peer;
import io.faultline.protocol.RedisAddress;
import io.faultline.protocol.RedisOutageFault;
import java.util.List;

/** Executes {@code redis.outage} as a partition of every peer on the Redis port, both ways. */
public final class RedisOutageDriver implements FaultDriver<RedisOutageFault> {
    private final NetworkPartitionDriver partition;
    private final String defaultAddress;

    public RedisOutageDriver(NetworkPartitionDriver partition, String defaultAddress) {
        this.partition = partition;
        this.defaultAddress = defaultAddress;
    }

    @Override
    public Class<RedisOutageFault> faultClass() {
        return RedisOutageFault.class;
    }

    @Override
    public String faultType() {
        return RedisOutageFault.TYPE;
    }

    /** It is netfilter rules on this host, as its network driver's. */
    @Override
    public boolean diesWithHost(RedisOutageFault fault) {
        return true;
    }

    @Override
    public Applied apply(String commandId, RedisOutageFault fault) throws FaultException {
        return partition.apply(commandId, asPartition(fault));
    }

    @Override
    public String recover(String commandId, RedisOutageFault fault) throws FaultException {
        return partition.recover(commandId, asPartition(fault));
    }

    private NetworkPartitionFault asPartition(RedisOutageFault fault) throws FaultException {
        String address = RedisPauseDriver.address(fault.address(), defaultAddress);
        return new NetworkPartitionFault(Direction.BOTH, fault.action(),
                List.of(Peer.anyOnPort(RedisAddress.port(address))), false, false);
    }
}
