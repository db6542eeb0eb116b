package io.faultline.protocol;

/** Signals a {@code process.kill} fault may send. STOP is the only one that can be reverted (by CONT). */
public enum Signal {
    KILL, TERM, STOP;

    public boolean reversible() {
        return this == STOP;
    }
}
