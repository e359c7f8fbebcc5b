package dev.portier.proxy.wire;

import java.util.List;

/** What a message's Connection header says: close, keep-alive, upgrade, and the fields it makes hop-by-hop. */
record Connection(boolean close, boolean keepAlive, boolean upgrade) {

    static final Connection NONE = new Connection(false, false, false);

    static Connection of(HeaderFields fields) {
        if (!fields.contains(HeaderFields.CONNECTION)) {
            return NONE;
        }
        boolean close = false;
        boolean keepAlive = false;
        boolean upgrade = false;
        List<String> named = null;
        for (String token : fields.tokens(HeaderFields.CONNECTION)) {
            if (token.equalsIgnoreCase("close")) {
                close = true;
            } else if (token.equalsIgnoreCase("keep-alive")) {
                keepAlive = true;
            } else if (token.equalsIgnoreCase("upgrade")) {
                upgrade = true;
            } else {
                if (named == null) {
                    named = new java.util.ArrayList<>(2);
                }
                named.add(token);
            }
        }
        if (named != null) {
            fields.markNamedByConnection(named);
        }
        return new Connection(close, keepAlive, upgrade);
    }
}
