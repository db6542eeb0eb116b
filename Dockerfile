# The image the Helm chart runs: the faultline command line (orchestrator, agents, alert bridge).
#   docker build -t ghcr.io/faultline/faultline:0.1.0 .
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -q -B -DskipTests install

FROM eclipse-temurin:17-jre
# iptables and iproute2 for network faults (node agents); procps for kill(1).
RUN apt-get update && apt-get install -y --no-install-recommends iptables iproute2 procps \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/cli/target/faultline.jar /opt/faultline/faultline.jar
COPY --from=build /src/cli/target/lib /opt/faultline/lib
# The agent's class path: the agent runtime and drivers, and the command line's picocli and logback.
COPY --from=build /src/agents/target/faultline-agents.jar /src/agents/target/lib/ /opt/faultline/agent/
COPY --from=build /src/cli/target/agent-lib/ /opt/faultline/agent/
COPY --chmod=755 cli/src/main/image/faultline /opt/faultline/bin/faultline
COPY scenarios /opt/faultline/scenarios
USER 10001
ENTRYPOINT ["/opt/faultline/bin/faultline"]
