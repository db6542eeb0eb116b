package io.faultline.agent.driver;

import io.faultline.protocol.NetworkBandwidthFault;
import io.faultline.protocol.RedisAddress;
import io.faultline.protocol.RedisThrottleFault;
import java.util.List;

/** Executes {@code redis.throttle} as a bandwidth cap on the Redis port. */
public final class RedisThrottleDriver implements FaultDriver<RedisThrottleFault> {
    private final NetworkBandwidthDriver bandwidth;
    private final String defaultAddress;

    public RedisThrottleDriver(NetworkBandwidthDriver bandwidth, String defaultAddress) {
        this.bandwidth = bandwidth;
        this.defaultAddress = defaultAddress;
    }

    @Override
    public Class<RedisThrottleFault> faultClass() {
        return RedisThrottleFault.class;
    }

    @Override
    public String faultType() {
        return RedisThrottleFault.TYPE;
    }

    /** It is a queueing discipline on this host, as its network driver's. */
    @Override
    public boolean diesWithHost(RedisThrottleFault fault) {
        return true;
    }

    @Override
    public Applied apply(String commandId, RedisThrottleFault fault) throws FaultException {
        return bandwidth.apply(commandId, asBandwidth(fault));
    }

    @Override
    public String recover(String commandId, RedisThrottleFault fault) throws FaultException {
        return bandwidth.recover(commandId, asBandwidth(fault));
    }

    private NetworkBandwidthFault asBandwidth(RedisThrottleFault fault) throws FaultException {
        String address = RedisPauseDriver.address(fault.address(), defaultAddress);
        return new NetworkBandwidthFault(fault.device(), fault.rate(), List.of(RedisAddress.port(address)));
    }
}
