package dev.portier.proxy.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A backend made of a plain ServerSocket on 127.0.0.1, one thread per connection, for cases where
 * the test needs to see or shape the bytes (connection counts, EOFs, endless bodies, 101 switches).
 */
public final class RawBackend implements AutoCloseable {

    /** What to do with one accepted connection; returns when the connection is done. */
    public interface ConnectionHandler {
        void handle(Socket socket, InputStream in, OutputStream out, RawBackend backend) throws Exception;
    }

    /** Writes the response to one request (read with its body) on a kept-alive connection. */
    public interface Responder {
        void respond(RawHttp.Message request, OutputStream out) throws IOException;
    }

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "raw-backend");
        t.setDaemon(true);
        return t;
    });
    private final ConnectionHandler handler;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    /** Connections accepted so far. */
    public final AtomicInteger accepted = new AtomicInteger();
    /** Connections on which the backend read EOF from the proxy. */
    public final AtomicInteger eofs = new AtomicInteger();
    /** Bytes the backend read from the proxy (heads and bodies), over all connections. */
    public final AtomicLong bytesIn = new AtomicLong();
    /** Bytes written to the proxy by handlers that count them. */
    public final AtomicLong bytesOut = new AtomicLong();
    /** Every request read by {@link #http} backends, in order. */
    public final List<RawHttp.Message> requests = new CopyOnWriteArrayList<>();

    private RawBackend(ConnectionHandler handler) throws IOException {
        this.handler = handler;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    public static RawBackend start(ConnectionHandler handler) throws IOException {
        return new RawBackend(handler);
    }

    /** A keep-alive HTTP/1.1 backend: reads each request (answering Expect: 100-continue) and lets the responder answer. */
    public static RawBackend http(Responder responder) throws IOException {
        return new RawBackend((socket, in, out, b) -> {
            while (true) {
                RawHttp.Message head = RawHttp.readHead(in);
                if (head == null) {
                    b.eofs.incrementAndGet();
                    return;
                }
                if ("100-continue".equalsIgnoreCase(head.header("expect"))) {
                    RawHttp.write(out, "HTTP/1.1 100 Continue\r\n\r\n");
                }
                RawHttp.Message req = RawHttp.readBody(in, head, false, false);
                b.requests.add(req);
                responder.respond(req, out);
                out.flush();
            }
        });
    }

    /** A responder answering 200 with the given text and a Content-Length. */
    public static Responder text(String body) {
        return (req, out) -> RawHttp.write(out, "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: "
                + body.length() + "\r\n\r\n" + body);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return;
            }
            accepted.incrementAndGet();
            sockets.add(s);
            threads.execute(() -> {
                try (s) {
                    handler.handle(s, new CountingInput(new BufferedInputStream(s.getInputStream())),
                            s.getOutputStream(), this);
                } catch (Exception e) {
                    // the proxy closing or resetting a connection is part of several tests
                }
            });
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class CountingInput extends InputStream {
        private final InputStream in;

        public CountingInput(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            int c = in.read();
            if (c >= 0) {
                bytesIn.incrementAndGet();
            }
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int r = in.read(b, off, len);
            if (r > 0) {
                bytesIn.addAndGet(r);
            }
            return r;
        }
    }
}
