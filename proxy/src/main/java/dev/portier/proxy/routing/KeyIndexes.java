package dev.portier.proxy.routing;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** The key index of every key family: frontend lists, dead marks, and each control family. */
final class KeyIndexes {

    /** The {@code frontend:*} keys that exist (by their host part). */
    final KeyIndex frontends = new KeyIndex();
    /** The hosts that have a {@code dead:<host>} key. */
    final KeyIndex dead = new KeyIndex();
    /** The frontend keys that have a {@code canary:}, {@code maintenance:}, {@code pause:} hash, by family. */
    private final Map<ControlFamily, KeyIndex> controls = new EnumMap<>(ControlFamily.class);
    private final List<KeyIndex> all;

    KeyIndexes() {
        for (ControlFamily f : ControlFamily.values()) {
            controls.put(f, new KeyIndex());
        }
        List<KeyIndex> list = new ArrayList<>(List.of(frontends, dead));
        list.addAll(controls.values());
        this.all = List.copyOf(list);
    }

    /** Which frontend keys have a hash of this family. */
    KeyIndex control(ControlFamily family) {
        return controls.get(family);
    }

    /** Every key index: frontends, dead marks, then the control families. */
    List<KeyIndex> all() {
        return all;
    }

    /** Whether every index is complete, so that unknown hosts are answered from memory. */
    boolean complete() {
        return all.stream().allMatch(KeyIndex::complete);
    }
}
