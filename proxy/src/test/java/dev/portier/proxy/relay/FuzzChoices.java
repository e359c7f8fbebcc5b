package dev.portier.proxy.relay;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The choices an {@link ExchangeScript} is made of, named so that a seed can be written by hand:
 * from the fuzzer's input, or from a map of name to value ({@link Seed}) that also gives the input
 * bytes Jazzer would need to make the same choices.
 */
interface FuzzChoices {

    /** A number in [0, n), n at most 256. */
    int pick(String name, int n);

    /** Up to {@code max} bytes (max below 256). */
    byte[] bytes(String name, int max);

    /** From a fuzz input. Only one-byte integer choices and front bytes: their encoding is simple (see {@link Seed}). */
    static FuzzChoices of(FuzzedDataProvider data) {
        return new FuzzChoices() {
            @Override
            public int pick(String name, int n) {
                return n <= 1 ? 0 : data.consumeInt(0, n - 1);
            }

            @Override
            public byte[] bytes(String name, int max) {
                return data.consumeBytes(pick(name, max + 1));
            }
        };
    }

    /**
     * Choices from a map (absent names choose 0 or no bytes), recording the fuzz input that makes
     * the same choices: libFuzzer's data provider takes an integer below 256 as one byte from the
     * input's end (value modulo n), bytes from its front.
     */
    final class Seed implements FuzzChoices {
        private final Map<String, ?> values;
        private final ByteArrayOutputStream front = new ByteArrayOutputStream();
        private final List<Integer> back = new ArrayList<>();

        Seed(Map<String, ?> values) {
            this.values = values;
        }

        @Override
        public int pick(String name, int n) {
            int v = values.containsKey(name) ? (Integer) values.get(name) : 0;
            if (v < 0 || v >= Math.max(n, 1)) {
                throw new IllegalArgumentException(name + "=" + v + " is not below " + n);
            }
            if (n > 1) {
                back.add(v);
            }
            return v;
        }

        @Override
        public byte[] bytes(String name, int max) {
            Object v = values.get(name);
            byte[] b = v == null ? new byte[0] : v instanceof String s
                    ? s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1) : (byte[]) v;
            if (b.length > max) {
                throw new IllegalArgumentException(name + " is longer than " + max);
            }
            pick(name + ".length", max + 1);
            back.set(back.size() - 1, b.length);
            front.writeBytes(b);
            return b;
        }

        /** The fuzz input: front bytes, then the integer bytes, the first one taken last in the file. */
        byte[] input() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(front.toByteArray());
            for (int i = back.size() - 1; i >= 0; i--) {
                out.write(back.get(i));
            }
            return out.toByteArray();
        }
    }
}
