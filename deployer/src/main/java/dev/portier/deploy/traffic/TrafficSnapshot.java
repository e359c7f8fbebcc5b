package dev.portier.deploy.traffic;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * One frontend's per-backend figures over a window, summed over the proxies that answered.
 *
 * @param backends backend URL (as in the frontend list) to its figures
 * @param answered how many proxy admins answered
 * @param failures one line per admin that did not, naming it
 */
public record TrafficSnapshot(int windowSeconds, Map<String, BackendFigures> backends, int answered, List<String> failures) {

    /** The figures of one backend; {@link BackendFigures#NONE} when no proxy saw it. */
    public BackendFigures of(String backend) {
        return backends.getOrDefault(backend, BackendFigures.NONE);
    }

    /** Several backends taken together (the live list, say). */
    public BackendFigures of(Collection<String> several) {
        BackendFigures sum = BackendFigures.NONE;
        for (String b : several) {
            sum = sum.plus(of(b));
        }
        return sum;
    }
}
