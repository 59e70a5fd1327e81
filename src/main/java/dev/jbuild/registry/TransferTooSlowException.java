package dev.jbuild.registry;

import java.io.IOException;

/**
 * A response body did not arrive within its deadline (the response timeout plus its size at the
 * minimum transfer rate). Not retried: the deadline is already far beyond what a working
 * connection needs, and a server that trickles would trickle again.
 */
final class TransferTooSlowException extends IOException {

    private static final long serialVersionUID = 1L;

    TransferTooSlowException(String message) {
        super(message);
    }
}
