package dev.portier.proxy.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;

/**
 * Coverage-guided fuzzing of the response parser, answering a HEAD or not, de-chunking or not: any
 * bytes, split any way, must give what {@link DecoderOutputCheck} allows, and the same as when
 * they come in one read. As a plain test it runs the inputs under
 * {@code ResponseDecoderFuzzTestInputs/}; {@code JAZZER_FUZZ=1} (see bench/fuzz.sh) makes it fuzz.
 */
class ResponseDecoderFuzzTest {

    private static final int MAX_HEAD = 1024;

    @FuzzTest(maxDuration = "5m")
    void responses(FuzzedDataProvider data) {
        long split = data.consumeLong();
        boolean headRequest = data.consumeBoolean();
        boolean dechunk = data.consumeBoolean();
        byte[] input = data.consumeRemainingAsBytes();
        List<Object> whole = WireFuzzing.decode(decoder(headRequest, dechunk), input.length == 0 ? List.of() : List.of(input));
        List<Object> pieces = WireFuzzing.decode(decoder(headRequest, dechunk), WireFuzzing.pieces(input, split));
        try {
            DecoderOutputCheck.responses(input, pieces, MAX_HEAD, headRequest, dechunk);
            assertThat(WireFuzzing.summary(pieces)).as("the same in pieces as in one read")
                    .isEqualTo(WireFuzzing.summary(whole));
        } finally {
            WireFuzzing.releaseAll(whole);
            WireFuzzing.releaseAll(pieces);
        }
    }

    private static EmbeddedChannel decoder(boolean headRequest, boolean dechunk) {
        ResponseDecoder d = new ResponseDecoder(MAX_HEAD);
        d.expect(headRequest, dechunk);
        return new EmbeddedChannel(d);
    }
}
