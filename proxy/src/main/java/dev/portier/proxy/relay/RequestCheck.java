package dev.portier.proxy.relay;

import dev.portier.proxy.routing.HostMatcher;
import dev.portier.proxy.wire.RequestHead;

/**
 * What the proxy makes of a parsed request before routing it: the load balancer's ping, a refusal
 * (the connection then closes), or the normalised host to route by. A pure decision.
 */
record RequestCheck(Verdict verdict, int status, String reason, String host) {

    /** The outcome. */
    enum Verdict { PING, REFUSE, ROUTE }

    /** @param req a head the parser let through: exactly one Host, or the authority of an absolute-form target */
    static RequestCheck of(RequestHead req) {
        String hostHeader = req.host();
        if (LocalAnswers.PING_HOST.equalsIgnoreCase(hostHeader)) {
            return new RequestCheck(Verdict.PING, 200, null, null);
        }
        if (req.isConnect()) {
            return refuse(405, "CONNECT is not proxied");
        }
        String host = HostMatcher.normalise(hostHeader);
        if (host == null || host.isEmpty()) {
            return refuse(400, "bad Host header");
        }
        return new RequestCheck(Verdict.ROUTE, 0, null, host);
    }

    private static RequestCheck refuse(int status, String reason) {
        return new RequestCheck(Verdict.REFUSE, status, reason, null);
    }
}
