package io.faultline.probe;

/** One check of the system's steady state, sampled repeatedly. */
public interface Probe {
    /** What this probe looks at, for messages. */
    String describe();

    /** Samples once; never throws. */
    Sample sample();

    /** One sample: whether the condition held, and what was seen. */
    record Sample(boolean ok, String detail) {
        public static Sample ok(String detail) {
            return new Sample(true, detail);
        }

        public static Sample failed(String detail) {
            return new Sample(false, detail);
        }
    }
}
