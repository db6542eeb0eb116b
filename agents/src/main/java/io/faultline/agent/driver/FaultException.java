package io.faultline.agent.driver;

/** A fault could not be applied or undone; the message is the reason reported on telemetry. */
public class FaultException extends Exception {
    private static final long serialVersionUID = 1L;

    public FaultException(String message) {
        super(message);
    }
}
