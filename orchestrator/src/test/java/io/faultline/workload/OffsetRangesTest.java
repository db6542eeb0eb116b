package io.faultline.workload;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OffsetRangesTest {
    @Test
    void offsetsMergeIntoRangesInAnyOrderAndCountWhatALogNoLongerHolds() {
        OffsetRanges r = new OffsetRanges();
        for (long o : new long[] {5, 6, 7, 10, 9, 8, 20, 7, 21, 3}) {
            r.add(o);
        }
        assertThat(r.size()).isEqualTo(9); // 3, 5-10, 20-21
        assertThat(r.outside(0, 100)).isZero();
        assertThat(r.outside(6, 100)).isEqualTo(2); // 3 and 5
        assertThat(r.outside(6, 21)).isEqualTo(3); // and 21
        assertThat(r.outside(30, 40)).isEqualTo(9);
        assertThat(r.again()).as("7 acknowledged twice").isEqualTo(1);
    }

    @Test
    void offsetsHandedOutAgainAfterATruncationAreCountedOncePerRepeat() {
        OffsetRanges r = new OffsetRanges();
        for (long o = 0; o < 300; o++) {
            r.add(o);
        }
        // An unclean election: the new leader's log ended at 103, and it hands 103.. out again.
        for (long o = 103; o < 250; o++) {
            r.add(o);
        }
        assertThat(r.size()).isEqualTo(300);
        assertThat(r.again()).isEqualTo(147);
    }
}
