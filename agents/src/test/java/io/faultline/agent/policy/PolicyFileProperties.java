package io.faultline.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.protocol.Durations;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Policy files mutated at random (a character replaced, dropped or repeated, a line duplicated):
 * a policy or a {@link PolicyFile.PolicyException} naming the file, never another exception, and
 * never a lease beyond the longest duration.
 */
class PolicyFileProperties {
    private static final String VALID = """
            faults: [process.kill, network.partition, redis.pause]
            maxLease: 10m
            processes:
              service: true
              pidFiles: ["/run/orders/*.pid"]
              commandLines: ["OrderListener .*--instance listener-2"]
            network:
              cidrs: [10.77.0.0/24]
              ports: [6379, 9092]
              cutControlLink: false
            redis: ["10.0.0.5:6379"]
            """;

    @Property(tries = 3000)
    void mutatedPoliciesLoadOrFailWithTheFileName(@ForAll("mutants") String text) {
        String outcome;
        try {
            AgentPolicy p = PolicyFile.parse("p.yaml", text);
            assertThat(p.maxLease()).isLessThanOrEqualTo(Durations.MAX);
            outcome = "loaded";
        } catch (PolicyFile.PolicyException e) {
            assertThat(e.getMessage()).startsWith("p.yaml").doesNotContain("Exception", "com.fasterxml", "org.yaml");
            outcome = e.getMessage().contains("given twice") ? "duplicate key" : "rejected";
        }
        Statistics.label("outcome").collect(outcome);
        Statistics.label("outcome").coverage(c -> {
            c.check("loaded").percentage(p -> p >= 10);
            c.check("rejected").percentage(p -> p >= 10);
            c.check("duplicate key").percentage(p -> p >= 2);
        });
    }

    @Provide
    Arbitrary<String> mutants() {
        List<String> lines = VALID.lines().toList();
        Arbitrary<String> charMutant = Combinators.combine(Arbitraries.integers().between(0, VALID.length() - 1),
                Arbitraries.chars().with('[', ']', '{', ':', '\'', '"', '*', '&', '-', ' ', '\n', 'x', '9', 'h'),
                Arbitraries.integers().between(0, 2)).as((at, c, op) -> switch (op) {
                    case 0 -> VALID.substring(0, at) + c + VALID.substring(at + 1);
                    case 1 -> VALID.substring(0, at) + VALID.substring(at + 1);
                    default -> VALID.substring(0, at) + String.valueOf(c).repeat(3) + VALID.substring(at);
                });
        Arbitrary<String> lineDuplicated = Arbitraries.integers().between(0, lines.size() - 1).map(i -> {
            StringBuilder b = new StringBuilder();
            for (int j = 0; j < lines.size(); j++) {
                b.append(lines.get(j)).append('\n');
                if (j == i) {
                    b.append(lines.get(j)).append('\n');
                }
            }
            return b.toString();
        });
        Arbitrary<String> hugeLease = Arbitraries.longs().between(1, Long.MAX_VALUE).map(n -> VALID.replace("10m", n + "h"));
        return Arbitraries.oneOf(charMutant, charMutant, lineDuplicated, hugeLease, Arbitraries.just(VALID));
    }
}
