package io.faultline.verifier;

import io.faultline.protocol.CanaryStats;
import io.faultline.protocol.FaultRecord;
import io.faultline.scenario.ChecksSpec;
import io.faultline.scenario.ProbeSpec;
import java.util.List;

/**
 * What every check reads: the history, what the scenario asks, and the figures worked out once
 * (per-fault records in injection order, parallel to {@code windows}, the delivery anomalies, and
 * the lookups by canary id, latency and throughput over the run and per phase).
 */
record Analysis(History history, ChecksSpec spec, List<ProbeSpec> probes, List<FaultWindow> windows,
                List<FaultRecord> faults, DeliveryAnalysis.Anomalies anomalies, CanaryIndex index, CanaryStats.Phase run,
                List<CanaryStats.Phase> phases) {
}
