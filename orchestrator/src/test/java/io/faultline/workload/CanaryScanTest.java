package io.faultline.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CanaryScanTest {
    private static final String RUN = "r1";
    private static final String PREFIX = "r1:";

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Records as Faultline and services write them: what the scan must read itself. */
    private static final List<String> PLAIN = List.of(
            "{\"id\":\"r1:7\",\"run\":\"r1\",\"seq\":7,\"key\":\"k7\",\"sentAt\":\"2026-12-04T05:00:00.001Z\"}",
            "{\"run\":\"r1\",\"seq\":12,\"sentAt\":\"2026-12-04T05:00:00Z\",\"id\":\"r1:12\"}",
            " {\n\t\"order\" : {\"total\": -12.5e+3, \"lines\": [1, 2.0, {\"sku\": \"a\"}, [], {}], \"paid\": true, \"note\": null},"
                    + " \"run\" : \"r1\" , \"id\" : \"r1:123456789012345678\" } ",
            "{\"id\":\"r1:07\",\"run\":\"r1\"}",
            "{\"id\":\"r2:7\",\"run\":\"r1\"}",
            "{\"run\":\"r2\",\"id\":\"r1:7\"}",
            "{\"id\":\"r1:7\"}",
            "{}",
            "[1,2]",
            "",
            "not json",
            "{\"run\":7,\"id\":\"r1:1\"}",
            "{\"id\":\"r1:1\",\"id\":\"r1:2\",\"run\":\"r1\"}",
            "{\"amount\":0,\"flags\":[false,true,null],\"run\":\"r1\",\"id\":\"r1:3\"}");

    @Test
    void readsFaultlinesRecordsAndServicePayloadsItselfAndAgreesWithTheParser() {
        for (String s : PLAIN) {
            long scanned = CanaryScan.seq(b(s), RUN, PREFIX);
            assertThat(scanned).as(s).isNotEqualTo(CanaryScan.UNSURE);
            assertThat(scanned).as(s).isEqualTo(CanaryCodec.parsed(b(s), RUN, PREFIX));
        }
        assertThat(CanaryScan.seq(b(PLAIN.get(0)), RUN, PREFIX)).isEqualTo(7);
        assertThat(CanaryScan.seq(b(PLAIN.get(2)), RUN, PREFIX)).isEqualTo(123456789012345678L);
        assertThat(CanaryScan.seq(b(PLAIN.get(3)), RUN, PREFIX)).isEqualTo(CanaryCodec.ODD);
    }

    @Test
    void leavesEscapesOtherEncodingsAndWhatJsonForbidsToTheParser() {
        for (String s : List.of("{\"note\":\"a\\\"b\",\"run\":\"r1\",\"id\":\"r1:1\"}",
                "{\"n\\u0061me\":1,\"run\":\"r1\",\"id\":\"r1:1\"}",
                "{\"name\":\"caf\u00e9\",\"run\":\"r1\",\"id\":\"r1:1\"}",
                "\ufeff{\"run\":\"r1\",\"id\":\"r1:1\"}",
                "{\"n\":01,\"run\":\"r1\",\"id\":\"r1:1\"}",
                "{\"n\":NaN,\"run\":\"r1\",\"id\":\"r1:1\"}",
                "{\"n\":1,,\"run\":\"r1\",\"id\":\"r1:1\"}",
                "{\"n\":[1,],\"run\":\"r1\",\"id\":\"r1:1\"}",
                "{\"n\":1 /* c */,\"run\":\"r1\",\"id\":\"r1:1\"}",
                "{\"run\":\"r1\"")) {
            assertThat(CanaryScan.seq(b(s), RUN, PREFIX)).as(s).isEqualTo(CanaryScan.UNSURE);
        }
        byte[] utf16 = "{\"run\":\"r1\",\"id\":\"r1:1\"}".getBytes(StandardCharsets.UTF_16BE);
        assertThat(CanaryScan.seq(utf16, RUN, PREFIX)).isEqualTo(CanaryScan.UNSURE);
        assertThat(CanaryCodec.seq(utf16, RUN, PREFIX)).isEqualTo(CanaryCodec.parsed(utf16, RUN, PREFIX));
        String deep = "[".repeat(40) + "]".repeat(40);
        assertThat(CanaryScan.seq(b("{\"d\":" + deep + ",\"run\":\"r1\",\"id\":\"r1:1\"}"), RUN, PREFIX))
                .isEqualTo(CanaryScan.UNSURE);
    }

    /**
     * Every record the scan answers for, it answers as the parser does: the plain records cut,
     * spliced and mutated byte by byte (JSON's own characters, a NUL, bytes of UTF-8 and past it).
     */
    @Test
    void whereverItAnswersItAnswersAsTheParserOnMutatedRecords() {
        byte[] alphabet = b("{}[]\":,\\ \n0123456789-+.eEtrufalsn r1:id");
        byte[] odd = {0, (byte) 0xC3, (byte) 0xA9, (byte) 0xFF, (byte) 0xFE, (byte) 0xEF, 0x1F};
        Random random = new Random(42);
        int answered = 0;
        int cases = 0;
        for (int round = 0; round < 40_000; round++) {
            byte[] v = b(PLAIN.get(random.nextInt(PLAIN.size())));
            int edits = 1 + random.nextInt(3);
            for (int e = 0; e < edits && v.length > 0; e++) {
                int at = random.nextInt(v.length);
                byte with = random.nextInt(8) == 0 ? odd[random.nextInt(odd.length)] : alphabet[random.nextInt(alphabet.length)];
                switch (random.nextInt(4)) {
                    case 0 -> v[at] = with;
                    case 1 -> v = splice(v, at, 0, new byte[] {with});
                    case 2 -> v = splice(v, at, 1, new byte[0]);
                    default -> v = Arrays.copyOf(v, at);
                }
            }
            cases++;
            long scanned = CanaryScan.seq(v, RUN, PREFIX);
            if (scanned != CanaryScan.UNSURE) {
                answered++;
                assertThat(scanned).as(new String(v, StandardCharsets.ISO_8859_1)).isEqualTo(CanaryCodec.parsed(v, RUN, PREFIX));
            }
        }
        // The comparison means something only if the scan answered for most of them.
        assertThat(answered).isGreaterThan(cases / 3);
    }

    private static byte[] splice(byte[] v, int at, int remove, byte[] insert) {
        byte[] out = new byte[v.length - remove + insert.length];
        System.arraycopy(v, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(v, at + remove, out, at + insert.length, v.length - at - remove);
        return out;
    }
}
