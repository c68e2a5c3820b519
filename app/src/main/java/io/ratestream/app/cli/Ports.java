package io.ratestream.app.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Checks that a port is free before anything starts, so a clash is a sentence, not a stack trace. */
final class Ports {

    private Ports() {
    }

    static void requireFree(String bind, int port, String flag) {
        if (port == 0) {
            return;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(bind), port));
        } catch (IOException e) {
            throw new IllegalStateException("port " + port + " is in use: stop the other process or pass " + flag);
        }
    }

    /** Whether {@code bind} is a wildcard address (0.0.0.0, ::), which a local client reaches on loopback. */
    static boolean isWildcard(String bind) {
        try {
            return InetAddress.getByName(bind).isAnyLocalAddress();
        } catch (IOException e) {
            return false;
        }
    }
}
