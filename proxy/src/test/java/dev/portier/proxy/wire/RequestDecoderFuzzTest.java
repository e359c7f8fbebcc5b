package dev.portier.proxy.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;

/**
 * Coverage-guided fuzzing of the request parser: any bytes, split any way, must give what
 * {@link DecoderOutputCheck} allows, and the same as when they come in one read. As a plain test
 * it runs the inputs under {@code RequestDecoderFuzzTestInputs/}; {@code JAZZER_FUZZ=1} (see
 * bench/fuzz.sh) makes it fuzz.
 */
class RequestDecoderFuzzTest {

    /** Small, so fuzzed inputs (4 KiB at most) reach the size limits too. */
    private static final int MAX_HEAD = 1024;

    @FuzzTest(maxDuration = "5m")
    void requests(FuzzedDataProvider data) {
        long split = data.consumeLong();
        byte[] input = data.consumeRemainingAsBytes();
        List<Object> whole = WireFuzzing.decode(new EmbeddedChannel(new RequestDecoder(MAX_HEAD)),
                input.length == 0 ? List.of() : List.of(input));
        List<Object> pieces = WireFuzzing.decode(new EmbeddedChannel(new RequestDecoder(MAX_HEAD)),
                WireFuzzing.pieces(input, split));
        try {
            DecoderOutputCheck.requests(input, pieces, MAX_HEAD);
            assertThat(WireFuzzing.summary(pieces)).as("the same in pieces as in one read")
                    .isEqualTo(WireFuzzing.summary(whole));
        } finally {
            WireFuzzing.releaseAll(whole);
            WireFuzzing.releaseAll(pieces);
        }
    }
}
