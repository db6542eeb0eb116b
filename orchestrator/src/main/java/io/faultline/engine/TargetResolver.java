package io.faultline.engine;

import io.faultline.protocol.AgentHeartbeat;
import io.faultline.scenario.TargetSpec;
import java.util.List;
import java.util.Random;

/**
 * Picks the agents a scenario's target names among the live ones: those whose labels match, then
 * by the target's pick (all, any one, the one beside the partition owner). Pure: the random
 * source is injected and the partition owner is looked up by the caller, only when needed.
 */
public final class TargetResolver {
    /** Finds the {@code client.id} of the consumer that owns the target's partitions. */
    @FunctionalInterface
    public interface OwnerLookup {
        String owner() throws InfrastructureException, InterruptedException;
    }

    private final Random random;

    public TargetResolver(Random random) {
        this.random = random;
    }

    public static boolean matches(TargetSpec target, AgentHeartbeat agent) {
        return target.labels().entrySet().stream().allMatch(e -> e.getValue().equals(agent.labels().get(e.getKey())));
    }

    /**
     * @throws InfrastructureException when no live agent matches, or none sits beside the partition owner
     */
    public List<AgentHeartbeat> resolve(String targetName, TargetSpec target, List<AgentHeartbeat> live,
                                        OwnerLookup owners) throws InfrastructureException, InterruptedException {
        List<AgentHeartbeat> agents = live.stream().filter(hb -> matches(target, hb)).toList();
        if (agents.isEmpty()) {
            throw new InfrastructureException("no live agent matches target '" + targetName + "' (labels "
                    + target.labels() + ")");
        }
        return switch (target.pick()) {
            case ALL -> agents;
            case ANY -> List.of(agents.get(random.nextInt(agents.size())));
            case PARTITION_OWNER -> {
                String owner = owners.owner();
                List<AgentHeartbeat> beside = agents.stream()
                        .filter(a -> owner.equals(a.labels().get(TargetSpec.CLIENT_ID_LABEL))).toList();
                if (beside.isEmpty()) {
                    throw new InfrastructureException("consumer '" + owner + "' owns the partitions of " + target.topic()
                            + " in group " + target.group() + ", but no live agent of target '" + targetName
                            + "' has label " + TargetSpec.CLIENT_ID_LABEL + "=" + owner);
                }
                yield beside;
            }
        };
    }
}
