package io.faultline.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Which traffic a network fault affects, seen from the agent's host. */
public enum Direction {
    @JsonProperty("ingress") INGRESS,
    @JsonProperty("egress") EGRESS,
    @JsonProperty("both") BOTH;

    public boolean ingress() {
        return this != EGRESS;
    }

    public boolean egress() {
        return this != INGRESS;
    }
}
