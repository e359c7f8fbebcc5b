package dev.portier.deploy;

import dev.portier.deploy.console.ExitCode;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * Makes SIGTERM and SIGINT end a command through its own clean-up. The shutdown hook does nothing
 * but interrupt the command's thread and wait for it: the command alone removes its container and
 * releases its lock (a hook that cleaned up too would race it), reports the interruption, and its
 * exit code, not the JVM's 143, is the process's.
 */
final class SignalExit {

    /** Longer than a container's removal; after it the process ends anyway and the lock's expiry frees the lock. */
    private static final Duration CLEAN_UP = Duration.ofSeconds(20);

    private SignalExit() {
    }

    static void run(IntSupplier command) {
        Thread main = Thread.currentThread();
        AtomicInteger code = new AtomicInteger(ExitCode.INTERRUPTED);
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            main.interrupt();
            try {
                finished.await(CLEAN_UP.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // System.exit from the command's thread would block behind this very hook
            Runtime.getRuntime().halt(code.get());
        }, "signal-exit");
        Runtime.getRuntime().addShutdownHook(hook);
        code.set(command.getAsInt());
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // a signal came: the hook exits with the code just set
            return;
        }
        System.exit(code.get());
    }
}
