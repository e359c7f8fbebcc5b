package dev.portier.proxy.admin;

import dev.portier.proxy.metrics.BackendStats;
import dev.portier.proxy.metrics.ProxyMetrics;
import dev.portier.proxy.routing.RouteSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;

/** {@code GET /backends}: the per-backend figures joined with what the table routes now (list and canary). */
final class BackendsView {

    static final int DEFAULT_WINDOW_SECONDS = 60;

    private BackendsView() {
    }

    /** The {@code window} parameter: absent → 60; else whole seconds from 1 to the retention. */
    static int window(List<String> values) {
        if (values == null || values.isEmpty()) {
            return DEFAULT_WINDOW_SECONDS;
        }
        String v = values.get(0);
        int s;
        try {
            s = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            s = -1;
        }
        if (s < 1 || s > BackendStats.RETENTION_SECONDS) {
            throw new IllegalArgumentException("window must be whole seconds from 1 to " + BackendStats.RETENTION_SECONDS
                    + ", got '" + v + "'");
        }
        return s;
    }

    static Map<String, Object> of(RouteSource routes, ProxyMetrics metrics, int window) {
        Map<String, List<String>> listed = new HashMap<>();
        Map<String, String> canary = new HashMap<>();
        routes.backends().forEach((key, b) -> {
            listed.put(key, b.listed());
            if (b.canary() != null) {
                canary.put(key, b.canary().backend().raw());
            }
        });
        return metrics.backends().window(window, listed, canary);
    }

    /** Whether (frontend key, backend URL) is routed now; the table is read at the first question only. */
    static BiPredicate<String, String> routedCheck(RouteSource routes) {
        return new BiPredicate<>() {
            private Map<String, RouteSource.FrontendBackends> table;

            @Override
            public boolean test(String frontend, String backend) {
                if (table == null) {
                    table = routes.backends();
                }
                RouteSource.FrontendBackends b = table.get(frontend);
                return b != null && (b.listed().contains(backend)
                        || b.canary() != null && b.canary().backend().raw().equals(backend));
            }
        };
    }
}
