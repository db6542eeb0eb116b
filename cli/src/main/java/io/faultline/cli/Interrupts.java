package io.faultline.cli;

import io.faultline.engine.GameDay;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ctrl-C (SIGINT) and SIGTERM while a game-day runs. The first heals: the run stops its steps,
 * heals every fault it applied, waits for the agents' undo and writes its verdict, ABORTED with
 * "interrupted (SIGINT)", and the command exits 4 as for any abort. A second signal exits at once
 * (130 for SIGINT, 143 for SIGTERM) and names the faults left to their agents' leases.
 *
 * <p>A shutdown hook would run only once the JVM is already exiting, too late to write a verdict
 * and deaf to a second signal, so signals are taken with the JDK's {@code sun.misc.Signal}, through
 * reflection as Kafka's {@code LoggingSignalHandler} does (the class is not part of the API that
 * {@code --release} compiles against). Where it is missing, signals keep their default action.
 */
final class Interrupts implements AutoCloseable {
    private static final List<String> SIGNALS = List.of("INT", "TERM");

    private final GameDay gameDay;
    private final PrintStream err;
    private final AtomicInteger count = new AtomicInteger();
    /** Per signal object, the handler that was there before. */
    private final Map<Object, Object> previous = new LinkedHashMap<>();
    private Method handle;

    private Interrupts(GameDay gameDay, PrintStream err) {
        this.gameDay = gameDay;
        this.err = err;
    }

    /** Takes SIGINT and SIGTERM for {@code gameDay} until closed. */
    static Interrupts install(GameDay gameDay, PrintStream err) {
        Interrupts i = new Interrupts(gameDay, err);
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Constructor<?> signalOf = signalClass.getConstructor(String.class);
            Method getName = signalClass.getMethod("getName");
            Method getNumber = signalClass.getMethod("getNumber");
            i.handle = signalClass.getMethod("handle", signalClass, handlerClass);
            Object handler = Proxy.newProxyInstance(Interrupts.class.getClassLoader(), new Class<?>[] {handlerClass},
                    (proxy, method, args) -> {
                        if (method.getName().equals("handle") && args != null && args.length == 1) {
                            i.on((String) getName.invoke(args[0]), (Integer) getNumber.invoke(args[0]));
                        }
                        return null;
                    });
            for (String name : SIGNALS) {
                try {
                    Object signal = signalOf.newInstance(name);
                    i.previous.put(signal, i.handle.invoke(null, signal, handler));
                } catch (InvocationTargetException e) {
                    // Not a signal here, or one the JVM keeps for itself: left as it is.
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // No sun.misc.Signal in this JVM: Ctrl-C keeps its default action, and the leases undo the faults.
        }
        return i;
    }

    private void on(String signal, int number) {
        String name = "SIG" + signal;
        if (count.incrementAndGet() == 1) {
            err.println("faultline: interrupted (" + name + "): healing every fault and writing the verdict; "
                    + "interrupt again to exit at once and leave the faults to their leases");
            err.flush();
            gameDay.interrupt("interrupted (" + name + ")");
            return;
        }
        List<String> left = gameDay.notUndone();
        err.println("faultline: exiting at once (" + name + " again); " + (left.isEmpty()
                ? "no fault is left applied"
                : "left to their agents' leases: " + String.join(", ", left)));
        err.flush();
        Runtime.getRuntime().halt(128 + number);
    }

    @Override
    public void close() {
        previous.forEach((signal, handler) -> {
            try {
                handle.invoke(null, signal, handler);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // Nothing to restore to.
            }
        });
    }
}
