import dev.portier.proxy.wire.HeadWriter;
import dev.portier.proxy.wire.RequestHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;

/**
 * CPU cost of taking in and passing on one request head (parse, then write it for a backend), per
 * byte of head, for heads 1 to 8 times the size of issue 10's (64 KB: a Connection field of 10,000
 * tokens, 4,800 other fields), and for an ordinary browser head. Linear work shows as a flat ns/byte.
 * Run by bench/head-cost.sh.
 */
public final class HeadCost {

    public static void main(String[] args) {
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
        HeadWriter.Forwarding fw = HeadWriter.Forwarding.of("10.0.0.1", "http", 80);
        byte[] browser = ("GET /index.html?x=1 HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: Mozilla/5.0\r\n"
                + "Accept: text/html,application/xhtml+xml\r\nAccept-Language: en-GB,en;q=0.9\r\n"
                + "Accept-Encoding: gzip, deflate, br\r\nConnection: keep-alive\r\nCookie: a=1; b=2\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        measure("warm-up", attack(1), fw, cpu, seconds);
        measure("browser head", browser, fw, cpu, seconds);
        for (int k : new int[] {1, 2, 4, 8}) {
            measure(k + "x attack head", attack(k), fw, cpu, seconds);
        }
    }

    /** k times issue 10's head: 10,000·k Connection tokens, 4,800·k other fields. */
    static byte[] attack(int k) {
        StringBuilder b = new StringBuilder("GET / HTTP/1.1\r\nHost: a\r\nConnection: ");
        for (int i = 0; i < 10_000 * k; i++) {
            b.append(i == 0 ? "" : ",").append((char) ('a' + i % 10));
        }
        b.append("\r\n");
        for (int i = 0; i < 4_800 * k; i++) {
            // names as short as the tokens, so each comparison of the old nested loop read bytes
            b.append((char) ('k' + i % 10)).append(":vvvvv\r\n");
        }
        return b.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
    }

    static void measure(String name, byte[] head, HeadWriter.Forwarding fw, ThreadMXBean cpu, double seconds) {
        long budget = (long) (seconds * 1e9);
        long start = cpu.getCurrentThreadCpuTime();
        long n = 0;
        long sink = 0;
        while (cpu.getCurrentThreadCpuTime() - start < budget || n < 3) {
            RequestHead h = RequestHead.parse(head);
            ByteBuf out = HeadWriter.backendRequest(h, UnpooledByteBufAllocator.DEFAULT, fw);
            sink += out.readableBytes();
            out.release();
            n++;
        }
        long used = cpu.getCurrentThreadCpuTime() - start;
        if (!name.equals("warm-up")) {
            System.out.printf("%-16s %9d bytes %8d runs %12.1f us/head %8.2f ns/byte%n", name, head.length, n,
                    used / 1e3 / n, (double) used / n / head.length);
        }
        if (sink == 42) {
            System.out.println();
        }
    }
}
