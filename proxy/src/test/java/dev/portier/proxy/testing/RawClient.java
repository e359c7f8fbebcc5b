package dev.portier.proxy.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A client on a plain socket, for byte-exact requests and for watching the connection itself. */
public final class RawClient implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawClient(int port) throws IOException {
        this(port, 0);
    }

    /** With a receive buffer size (0: the system's), set before connecting so the window stays small. */
    public RawClient(int port, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(15_000);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    public RawClient send(String s) throws IOException {
        return send(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawClient send(byte[] b) throws IOException {
        out.write(b);
        out.flush();
        return this;
    }

    /** Reads one whole response to a non-HEAD request. */
    public RawHttp.Message read() throws IOException {
        return read(false);
    }

    /** Reads one whole response; {@code head}: it answers a HEAD request, so it has no body. */
    public RawHttp.Message read(boolean head) throws IOException {
        RawHttp.Message h = readHead();
        int s = h.status();
        boolean noBody = head || s < 200 || s == 204 || s == 304;
        return RawHttp.readBody(in, h, noBody, true);
    }

    /** Reads a response head only (e.g. a 100 Continue or a 101). */
    public RawHttp.Message readHead() throws IOException {
        RawHttp.Message h = RawHttp.readHead(in);
        if (h == null) {
            throw new IOException("connection closed before a response");
        }
        return h;
    }

    /** Reads exactly n bytes. */
    public byte[] readBytes(int n) throws IOException {
        return in.readNBytes(n);
    }

    /** True when the peer closed (EOF or reset) with no further byte; fails on data, or after 15 s of silence. */
    public boolean closedByPeer() throws IOException {
        try {
            int c = in.read();
            if (c != -1) {
                throw new IOException("expected the connection closed, got more bytes: " + (char) c
                        + new String(in.readNBytes(Math.min(in.available(), 200)), StandardCharsets.ISO_8859_1));
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset
        }
    }

    public RawClient shutdownOutput() throws IOException {
        socket.shutdownOutput();
        return this;
    }

    /** Aborts the connection with a reset (SO_LINGER 0), as a client killed mid-request does. */
    public void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
