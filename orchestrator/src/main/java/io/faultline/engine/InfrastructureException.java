package io.faultline.engine;

/** The run could not be carried out: broker unreachable, agent missing, canary not flowing. Exit code 3. */
public class InfrastructureException extends Exception {
    private static final long serialVersionUID = 1L;

    public InfrastructureException(String message) {
        super(message);
    }
}
