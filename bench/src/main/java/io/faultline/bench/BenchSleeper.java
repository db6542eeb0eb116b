package io.faultline.bench;

/** A Java process that does nothing: Trogdor's ProcessStopFault finds Java processes by main class name. */
public final class BenchSleeper {
    private BenchSleeper() {
    }

    public static void main(String[] args) throws InterruptedException {
        Thread.sleep(Long.MAX_VALUE);
    }
}
