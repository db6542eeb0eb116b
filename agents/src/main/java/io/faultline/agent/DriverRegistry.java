package io.faultline.agent;

import io.faultline.agent.driver.FaultDriver;
import io.faultline.agent.driver.FaultException;
import io.faultline.protocol.FaultSpec;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/** The agent's fault drivers by the spec class they execute; hands each spec to its own driver, typed. */
final class DriverRegistry {
    private final Map<Class<?>, FaultDriver<?>> byClass = new LinkedHashMap<>();

    DriverRegistry(List<FaultDriver<?>> drivers) {
        drivers.forEach(d -> byClass.put(d.faultClass(), d));
    }

    /** The fault types there is a driver for, in registration order. */
    Set<String> faultTypes() {
        Set<String> out = new LinkedHashSet<>();
        byClass.values().forEach(d -> out.add(d.faultType()));
        return out;
    }

    FaultDriver.Applied apply(String commandId, FaultSpec fault, Duration lease) throws FaultException {
        return apply(driver(fault), commandId, fault, lease);
    }

    String recover(String commandId, FaultSpec fault) throws FaultException {
        return recover(driver(fault), commandId, fault);
    }

    String preview(FaultSpec fault) throws FaultException {
        return preview(driver(fault), fault);
    }

    /** {@link FaultDriver#diesWithHost}; false for a fault no driver takes. */
    boolean diesWithHost(FaultSpec fault) {
        FaultDriver<?> d = fault == null ? null : byClass.get(fault.getClass());
        return d != null && diesWithHost(d, fault);
    }

    private static <F extends FaultSpec> boolean diesWithHost(FaultDriver<F> d, FaultSpec f) {
        return d.diesWithHost(d.faultClass().cast(f));
    }

    /** Every driver's safe-mode sweep, by fault type, to be run each on its own; a sweep returns null when its driver has none. */
    Map<String, Callable<String>> sweeps() {
        Map<String, Callable<String>> out = new LinkedHashMap<>();
        byClass.values().forEach(d -> out.put(d.faultType(), d::sweep));
        return out;
    }

    private FaultDriver<?> driver(FaultSpec fault) throws FaultException {
        FaultDriver<?> d = fault == null ? null : byClass.get(fault.getClass());
        if (d == null) {
            throw new FaultException("no driver for " + (fault == null ? "an unreadable fault" : fault.type()));
        }
        return d;
    }

    private static <F extends FaultSpec> FaultDriver.Applied apply(FaultDriver<F> d, String id, FaultSpec f,
                                                                   Duration lease) throws FaultException {
        return d.apply(id, d.faultClass().cast(f), lease);
    }

    private static <F extends FaultSpec> String recover(FaultDriver<F> d, String id, FaultSpec f) throws FaultException {
        return d.recover(id, d.faultClass().cast(f));
    }

    private static <F extends FaultSpec> String preview(FaultDriver<F> d, FaultSpec f) throws FaultException {
        return d.preview(d.faultClass().cast(f));
    }
}
