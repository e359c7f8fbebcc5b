package dev.portier.deploy.redis;

import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/** The value written into the deploy lock: who holds it, doing what, since when, so the refused deploy can name them. */
final class LockOwner {

    private LockOwner() {
    }

    static String describe(String what, String machine) {
        String user = System.getProperty("user.name", "?");
        long pid = ProcessHandle.current().pid();
        String token = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
        return what + " by " + user + "@" + machine + " pid " + pid + " since " + Instant.now().toString() + " [" + token + "]";
    }
}
