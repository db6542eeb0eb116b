package io.faultline.agent.driver;

import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import eu.rekawek.toxiproxy.model.Toxic;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import io.faultline.protocol.ToxiproxyFault;
import java.io.IOException;
import java.net.URI;

/**
 * Executes {@code toxiproxy.toxic} against a Toxiproxy server's API: adds a toxic named after
 * the command id (removed on undo), or disables the proxy for {@code down} (enabled on undo).
 */
public final class ToxiproxyDriver implements FaultDriver<ToxiproxyFault> {
    @Override
    public Class<ToxiproxyFault> faultClass() {
        return ToxiproxyFault.class;
    }

    @Override
    public String faultType() {
        return ToxiproxyFault.TYPE;
    }

    @Override
    public Applied apply(String commandId, ToxiproxyFault fault) throws FaultException {
        URI api = URI.create(fault.api());
        ToxiproxyClient client = new ToxiproxyClient(api.getHost(), api.getPort());
        String toxicName = "faultline-" + commandId;
        try {
            Proxy proxy = client.getProxy(fault.proxy());
            if (fault.toxic() == ToxiproxyFault.Toxic.DOWN) {
                proxy.disable();
                return handle("disabled proxy " + fault.proxy(), commandId, fault);
            }
            ToxicDirection stream = fault.stream() == ToxiproxyFault.Stream.UPSTREAM
                    ? ToxicDirection.UPSTREAM : ToxicDirection.DOWNSTREAM;
            switch (fault.toxic()) {
                case LATENCY -> proxy.toxics().latency(toxicName, stream, fault.latency().toMillis())
                        .setJitter(fault.jitter().toMillis());
                case BANDWIDTH -> proxy.toxics().bandwidth(toxicName, stream, fault.rate());
                case TIMEOUT -> proxy.toxics().timeout(toxicName, stream, fault.latency().toMillis());
                case RESET_PEER -> proxy.toxics().resetPeer(toxicName, stream, 0);
                default -> throw new FaultException("unknown toxic " + fault.toxic());
            }
            return handle("added " + fault.toxic().name().toLowerCase() + " toxic " + toxicName + " to proxy "
                    + fault.proxy(), commandId, fault);
        } catch (IOException e) {
            throw new FaultException("toxiproxy " + fault.api() + ": " + e.getMessage());
        }
    }

    @Override
    public String recover(String commandId, ToxiproxyFault fault) throws FaultException {
        URI api = URI.create(fault.api());
        ToxiproxyClient client = new ToxiproxyClient(api.getHost(), api.getPort());
        String toxicName = "faultline-" + commandId;
        try {
            Proxy proxy = client.getProxy(fault.proxy());
            if (fault.toxic() == ToxiproxyFault.Toxic.DOWN) {
                proxy.enable();
                return "enabled proxy " + fault.proxy();
            }
            for (Toxic t : proxy.toxics().getAll()) {
                if (t.getName().equals(toxicName)) {
                    t.remove();
                    return "removed toxic " + toxicName + " from proxy " + fault.proxy();
                }
            }
            return "nothing to undo: toxic " + toxicName + " is gone";
        } catch (IOException e) {
            throw new FaultException("toxiproxy " + fault.api() + ": " + e.getMessage());
        }
    }

    /** Undo removes what apply added, the same way recovery does. */
    private Applied handle(String detail, String commandId, ToxiproxyFault fault) {
        return Applied.of(detail, () -> {
            return recover(commandId, fault);
        });
    }
}
