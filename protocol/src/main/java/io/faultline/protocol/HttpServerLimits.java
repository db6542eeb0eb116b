package io.faultline.protocol;

/**
 * Deadlines for the JDK's HTTP server, which Faultline's webhook, exporter and agent metrics run
 * on: by default it waits for a slow client for ever, so a few clients that trickle their
 * request a byte at a time hold every handler thread and starve the legitimate ones. Set before
 * the first server starts (the JDK reads them once); a value already set (-D) is kept.
 */
public final class HttpServerLimits {
    /** The longest a client may take to send its request, headers and body, in seconds. */
    public static final long MAX_REQUEST_SECONDS = 5;
    /** The longest a response may take once the request is in, in seconds. */
    public static final long MAX_RESPONSE_SECONDS = 15;
    /** How long an idle kept-alive connection stays open, in seconds. */
    public static final long IDLE_SECONDS = 10;

    private HttpServerLimits() {
    }

    public static void apply() {
        setIfAbsent("sun.net.httpserver.maxReqTime", MAX_REQUEST_SECONDS);
        setIfAbsent("sun.net.httpserver.maxRspTime", MAX_RESPONSE_SECONDS);
        setIfAbsent("sun.net.httpserver.idleInterval", IDLE_SECONDS);
    }

    private static void setIfAbsent(String name, long value) {
        if (System.getProperty(name) == null) {
            System.setProperty(name, Long.toString(value));
        }
    }
}
