package dev.portier.proxy.wire;

/**
 * Handed on in place of a message that could not be parsed, in order with the messages before it,
 * so a pipelined request that was fine is still answered before the connection is refused.
 * Nothing after it is parsed.
 */
public record BadMessage(int status, String reason) {
}
