package io.faultline.verifier;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The canaries kept whole, read once into arrays over their positions in {@code h.sent()}: send
 * time (ns since the epoch), sequence number, input partition and key. A canary log's view is
 * read as the log's own columns, without a record per canary; other lists (hand-made histories)
 * record by record, and the ids' common prefix is found from the records.
 */
final class SentColumns {
    final long[] sentAt;
    final long[] seq;
    /** Input partition when acknowledged with one, -1 acknowledged without, -2 not acknowledged. */
    final int[] partition;
    /** The key, as an index into {@code keys} (-1: none). */
    final int[] key;
    final List<String> keys = new ArrayList<>();
    /**
     * Every id is {@code prefix} and its sequence number, the numbers ascending (with gaps where
     * canaries were folded); null when not.
     */
    final String prefix;

    private SentColumns(int n, List<SentEvent> sent) {
        sentAt = new long[n];
        seq = new long[n];
        partition = new int[n];
        key = new int[n];
        if (sent instanceof Columns.Sent columns) {
            keys.addAll(columns.keyNames());
            for (int i = 0; i < n; i++) {
                sentAt[i] = columns.sentAtNanos(i);
                seq[i] = columns.seqAt(i);
                partition[i] = columns.partitionCode(i);
                key[i] = columns.keyIndex(i);
            }
            prefix = n == 0 ? null : columns.idPrefix();
        } else {
            prefix = readRecords(sent);
        }
    }

    static SentColumns read(List<SentEvent> sent) {
        return new SentColumns(sent.size(), sent);
    }

    /**
     * Reads hand-made records into the columns, and returns the ids' common prefix when every id
     * is it followed by an ascending sequence number; null otherwise.
     */
    private String readRecords(List<SentEvent> records) {
        Map<String, Integer> keyIndex = new HashMap<>();
        String dense = null;
        for (int i = 0; i < records.size(); i++) {
            SentEvent e = records.get(i);
            sentAt[i] = Columns.nanos(e.sentAt());
            seq[i] = e.seq();
            partition[i] = !e.acknowledged() ? -2 : e.partition() == null ? -1 : e.partition();
            key[i] = e.key() == null ? -1 : keyIndex.computeIfAbsent(e.key(), k -> {
                keys.add(k);
                return keys.size() - 1;
            });
            if (i == 0) {
                String digits = Long.toString(e.seq());
                dense = e.seq() >= 0 && e.id().endsWith(digits) ? e.id().substring(0, e.id().length() - digits.length())
                        : null;
            } else if (dense != null && (e.seq() <= seq[i - 1] || !e.id().equals(dense + e.seq()))) {
                dense = null;
            }
        }
        return dense;
    }
}
