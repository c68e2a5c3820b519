package io.ratestream.gateway.jsonrpc;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Counts the open connections of one server, in total and per remote address, and admits a new one
 * only while both counts are under their limits. One instance is shared by every connection of a
 * server; acquire and release are one lock each (a few per connection, not per request), so the counts
 * are exact under any interleaving and an address leaves the map when its last connection closes.
 *
 * <p>Thread-safe.
 */
final class ConnectionLimiter {

    /** The answer to a new connection. */
    enum Admission { ADMITTED, SERVER_FULL, ADDRESS_FULL }

    private final int maxConnections;
    private final int maxPerAddress;
    private final Map<Object, Integer> perAddress = new HashMap<>();
    private int open;

    ConnectionLimiter(int maxConnections, int maxPerAddress) {
        this.maxConnections = maxConnections;
        this.maxPerAddress = maxPerAddress;
    }

    /** The key a connection is counted under: its remote IP address, without the port. */
    static Object addressOf(SocketAddress remote) {
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress();
        }
        return remote == null ? "unknown" : remote; // tests' in-memory channels
    }

    /** Printable form of a key from {@link #addressOf}. */
    static String describe(Object address) {
        return address instanceof InetAddress inet ? inet.getHostAddress() : String.valueOf(address);
    }

    /** Counts one more connection from {@code address} if both limits allow; else counts nothing. */
    synchronized Admission tryAcquire(Object address) {
        if (open >= maxConnections) {
            return Admission.SERVER_FULL;
        }
        int fromAddress = perAddress.getOrDefault(address, 0);
        if (fromAddress >= maxPerAddress) {
            return Admission.ADDRESS_FULL;
        }
        perAddress.put(address, fromAddress + 1);
        open++;
        return Admission.ADMITTED;
    }

    /** Uncounts one admitted connection; call exactly once per {@link Admission#ADMITTED}. */
    synchronized void release(Object address) {
        Integer fromAddress = perAddress.get(address);
        if (fromAddress == null) {
            throw new IllegalStateException("released a connection never admitted, from " + describe(address));
        }
        if (fromAddress == 1) {
            perAddress.remove(address);
        } else {
            perAddress.put(address, fromAddress - 1);
        }
        open--;
    }

    /** Connections admitted and not yet released. */
    synchronized int open() {
        return open;
    }

    /** Addresses with at least one open connection (the size of the per-address map). */
    synchronized int addresses() {
        return perAddress.size();
    }

    int maxConnections() {
        return maxConnections;
    }

    int maxPerAddress() {
        return maxPerAddress;
    }
}
