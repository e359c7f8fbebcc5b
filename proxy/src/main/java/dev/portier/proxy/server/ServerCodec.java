package dev.portier.proxy.server;

import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayDeque;

/** The client side's HTTP/1.1 codec: a strict request decoder paired with a HEAD-aware response encoder. */
public final class ServerCodec extends CombinedChannelDuplexHandler<StrictRequestDecoder, HeadAwareResponseEncoder> {

    public ServerCodec(int maxHeaderSize) {
        ArrayDeque<HttpMethod> methods = new ArrayDeque<>(4);
        HttpDecoderConfig config = new HttpDecoderConfig()
                .setMaxInitialLineLength(8192)
                .setMaxHeaderSize(maxHeaderSize)
                .setMaxChunkSize(16 * 1024)
                .setValidateHeaders(true)
                .setAllowDuplicateContentLengths(false)
                .setUseRfc9112TransferEncoding(true);
        init(new StrictRequestDecoder(config, methods), new HeadAwareResponseEncoder(methods));
    }
}
