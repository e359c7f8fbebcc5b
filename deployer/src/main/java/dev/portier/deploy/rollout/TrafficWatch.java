package dev.portier.deploy.rollout;

import dev.portier.deploy.console.Console;
import dev.portier.deploy.console.DeployFailure;
import dev.portier.deploy.console.Pause;
import dev.portier.deploy.traffic.BackendFigures;
import dev.portier.deploy.traffic.ProxyAdmins;
import dev.portier.deploy.traffic.TrafficSnapshot;
import java.time.Duration;
import java.util.function.Function;

/**
 * Reads the proxies' figures every few seconds over a growing window (from the start of the watch)
 * and asks {@link CanaryVerdict} until it says more than "wait": a failure ends the watch at once,
 * otherwise it ends when its time is up.
 */
final class TrafficWatch {

    /** The new version's figures and the reference's, as picked from one reading. */
    record Pair(BackendFigures candidate, BackendFigures reference) {
    }

    /** Readings after the end that may fail (no proxy admin answering) before the watch gives up without figures. */
    private static final int READINGS_AFTER_THE_END = 3;

    private final ProxyAdmins admins;
    private final CanaryVerdict verdict;
    private final Duration every;
    private final Console console;

    TrafficWatch(Safety safety, Console console) {
        this.admins = new ProxyAdmins(safety.proxyAdmins());
        this.verdict = new CanaryVerdict(safety.thresholds());
        this.every = safety.every();
        this.console = console;
    }

    /** Watches {@code frontend} for {@code length}; {@code what} names the watch in log lines. */
    CanaryVerdict.Verdict run(String what, String frontend, Duration length, Function<TrafficSnapshot, Pair> pick) throws DeployFailure {
        long start = System.nanoTime();
        int unanswered = 0;
        while (true) {
            Pause.of(every, "while watching the " + what);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            boolean over = elapsed.compareTo(length) >= 0;
            TrafficSnapshot s = admins.read(frontend, ProxyAdmins.windowCovering(elapsed));
            s.failures().forEach(f -> console.warn("proxy admin did not answer: %s", f));
            if (s.answered() == 0) {
                if (over && ++unanswered > READINGS_AFTER_THE_END) {
                    return new CanaryVerdict.Verdict(CanaryVerdict.Outcome.INCONCLUSIVE,
                            "no proxy admin answered at the end of the " + what + ": " + String.join("; ", s.failures()));
                }
                continue;
            }
            Pair p = pick.apply(s);
            CanaryVerdict.Verdict v = verdict.judge(p.candidate(), p.reference(), over);
            console.step("%s, %d s of %d s, %d/%d proxies: %s", what, elapsed.toSeconds(), length.toSeconds(), s.answered(),
                    admins.admins().size(), v.outcome() == CanaryVerdict.Outcome.WAIT ? v.reason() : v.outcome() + ": " + v.reason());
            if (v.outcome() != CanaryVerdict.Outcome.WAIT) {
                return v;
            }
        }
    }

    /** The figures of {@code backends} over the last {@code length} (at most the proxies' retention), read once. */
    TrafficSnapshot readOnce(String frontend, Duration length) {
        return admins.read(frontend, ProxyAdmins.windowCovering(length));
    }
}
