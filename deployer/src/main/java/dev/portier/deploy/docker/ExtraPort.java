package dev.portier.deploy.docker;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container port published next to the app port for people, not the proxy (a profiler, JMX):
 * {@code NAME=CONTAINERPORT[@HOSTADDR[:HOSTPORT]]}, e.g. {@code yourkit=10001} or
 * {@code jmx=9010@10.0.0.5:9010}. The host address defaults to 127.0.0.1 (reached through an SSH
 * tunnel, never open to the world by accident); no host port lets Docker choose a free one, which
 * is what lets the kept containers publish the same port beside the live one.
 *
 * @param hostPort null: Docker chooses
 */
public record ExtraPort(String name, int containerPort, String hostAddress, Integer hostPort) {

    public static final String DEFAULT_ADDRESS = "127.0.0.1";

    private static final Pattern SYNTAX = Pattern.compile(
            "([a-zA-Z0-9][a-zA-Z0-9_.-]*)=(\\d{1,5})(?:@(\\[[0-9a-fA-F:.]+]|[^:@\\[\\]]+)(?::(\\d{1,5}))?)?");

    /** Parses the option's value; IllegalArgumentException names what is wrong. */
    public static ExtraPort parse(String spec) {
        Matcher m = SYNTAX.matcher(spec.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + spec + "' is not NAME=CONTAINERPORT[@HOSTADDR[:HOSTPORT]], e.g. yourkit=10001 or jmx=9010@127.0.0.1:9010");
        }
        String address = m.group(3) == null ? DEFAULT_ADDRESS : m.group(3).replaceAll("^\\[|]$", "");
        return new ExtraPort(m.group(1), port(m.group(2), spec), address, m.group(4) == null ? null : port(m.group(4), spec));
    }

    private static int port(String digits, String spec) {
        int p = Integer.parseInt(digits);
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("'" + spec + "': port " + p + " is not between 1 and 65535");
        }
        return p;
    }

    /** The same syntax back, as the label keeps it. */
    @Override
    public String toString() {
        String addr = hostAddress.contains(":") ? "[" + hostAddress + "]" : hostAddress;
        return name + "=" + containerPort + "@" + addr + (hostPort == null ? "" : ":" + hostPort);
    }
}
