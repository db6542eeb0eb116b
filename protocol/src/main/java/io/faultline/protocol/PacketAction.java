package io.faultline.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a partition does to matching packets: drop them silently, or refuse them (TCP reset, ICMP unreachable). */
public enum PacketAction {
    @JsonProperty("drop") DROP,
    @JsonProperty("reject") REJECT
}
