package dev.portier.proxy.server;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import java.util.Queue;

/** Encodes responses knowing which request each answers, so a HEAD response never gets a body framing. */
final class HeadAwareResponseEncoder extends HttpResponseEncoder {

    private final Queue<HttpMethod> methods;

    HeadAwareResponseEncoder(Queue<HttpMethod> methods) {
        this.methods = methods;
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
        if (msg.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            // interim responses (100 Continue) come before the final one for the same request
            return super.isContentAlwaysEmpty(msg);
        }
        HttpMethod method = methods.poll();
        return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
    }
}
