package dev.portier.deploy.watch;

import dev.portier.deploy.console.Console;
import dev.portier.deploy.console.ExitCode;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.function.ToIntFunction;

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

    /**
     * The part every watch's tick shares: reads the wanted version and hands it to {@code toward};
     * a source that cannot be read fails the tick, one that names no version yet ends it quietly.
     */
    public static int towardWanted(VersionSource source, Duration interval, Console console, ToIntFunction<String> toward) {
        Optional<String> wanted;
        try {
            wanted = source.read();
        } catch (IOException e) {
            console.warn("cannot read the wanted version from %s: %s; next try in %d s", source.describe(), e.getMessage(),
                    interval.toSeconds());
            return ExitCode.DEPLOY_FAILED;
        }
        if (wanted.isEmpty()) {
            console.step("%s names no version yet", source.describe());
            return ExitCode.OK;
        }
        return toward.applyAsInt(wanted.get());
    }
}
