package dev.portier.proxy.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Messages are taken in order, one at a time, when the taker can; the socket is read only when the inbox is empty. */
class ClientInboxTest {

    /** Counts the read() calls that reach the channel. */
    private static final class Reads extends ChannelOutboundHandlerAdapter {
        int count;

        @Override
        public void read(ChannelHandlerContext ctx) {
            count++;
        }
    }

    private final Reads reads = new Reads();
    private final EmbeddedChannel ch = new EmbeddedChannel(reads, new ChannelInboundHandlerAdapter());
    private final List<Object> taken = new ArrayList<>();
    private boolean busy;
    private boolean wants = true;
    private ClientInbox inbox;

    private ClientInbox inbox() {
        ClientInboxTest test = this;
        inbox = new ClientInbox(ch.pipeline().lastContext(), new ClientInbox.Taker() {
            @Override
            public boolean take(Object msg) {
                if (test.busy) {
                    return false;
                }
                taken.add(msg);
                if (msg.equals("starts-exchange")) {
                    test.busy = true;
                }
                return true;
            }

            @Override
            public boolean wantsMore() {
                return wants;
            }

            @Override
            public void reading() {
            }
        });
        return inbox;
    }

    @Test
    void pipelinedMessagesWaitForTheExchangeInFrontOfThem() {
        ClientInbox in = inbox();
        in.add("starts-exchange");
        in.add("next-1");
        in.add("next-2");
        assertEquals(List.of("starts-exchange"), taken);
        busy = false;
        in.pump();
        assertEquals(List.of("starts-exchange", "next-1", "next-2"), taken);
    }

    @Test
    void theSocketIsReadOnlyWhenTheInboxIsEmptyAndOnceUntilTheReadCompletes() {
        reads.count = 0;
        ClientInbox in = inbox();
        in.pump();
        assertEquals(1, reads.count);
        in.pump();
        assertEquals(1, reads.count, "a read is pending already");
        busy = true;
        in.add("held");
        in.readComplete();
        assertEquals(1, reads.count, "a message waits: no read");
        assertFalse(in.waitingOnClient());
        busy = false;
        in.pump();
        assertEquals(2, reads.count);
        assertTrue(in.waitingOnClient());
    }

    @Test
    void aReentrantPumpTakesWhatTheOuterOneCouldNot() {
        List<Object> order = new ArrayList<>();
        inbox = new ClientInbox(ch.pipeline().lastContext(), new ClientInbox.Taker() {
            @Override
            public boolean take(Object msg) {
                order.add(msg);
                if (msg.equals("a")) {
                    inbox.pump();
                }
                return true;
            }

            @Override
            public boolean wantsMore() {
                return false;
            }

            @Override
            public void reading() {
            }
        });
        inbox.add("a");
        inbox.add("b");
        assertEquals(List.of("a", "b"), order, "each message taken once, in order");
    }
}
