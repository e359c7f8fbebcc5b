package dev.portier.deploy.watch;

import dev.portier.deploy.console.Console;
import dev.portier.deploy.console.ExitCode;
import java.time.Duration;
import java.util.function.IntSupplier;

/** Runs a watch's tick every interval, measured from each tick's start, until the thread is interrupted. */
public final class TickLoop {

    private TickLoop() {
    }

    /**
     * Ticks until the thread is interrupted or a tick returns {@link ExitCode#INTERRUPTED}; returns
     * {@link ExitCode#OK} then, as a service stopped on purpose should.
     */
    public static int run(Duration interval, IntSupplier tick, Console console) {
        while (!Thread.currentThread().isInterrupted()) {
            long tickStart = System.nanoTime();
            if (tick.getAsInt() == ExitCode.INTERRUPTED) {
                break;
            }
            long wait = tickStart + interval.toNanos() - System.nanoTime();
            try {
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        console.step("watch stopped");
        return ExitCode.OK;
    }
}
