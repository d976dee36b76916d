package dev.streamtemplate.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** TCP ports on this machine: whether one is free, and a free one when any will do. */
public final class LocalPorts {

    private LocalPorts() {
    }

    /** Whether nothing listens on {@code port} on any local address (so a child can bind it). */
    public static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A port that was free a moment ago on the loopback address (the OS picks it). */
    public static int pickFree() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free local port", e);
        }
    }

    /**
     * The port to use for {@code what}: {@code requested} if it is free, a free one if {@code requested} is 0.
     *
     * @param flag    the command-line flag that sets it, named in the message when the port is taken
     * @param exclude a port already chosen for something else, never returned
     * @throws StackFailure when the requested port is taken
     */
    public static int resolve(String what, int requested, String flag, int exclude) throws StackFailure {
        if (requested == 0) {
            int port = pickFree();
            while (port == exclude) {
                port = pickFree();
            }
            return port;
        }
        if (!isFree(requested)) {
            throw new StackFailure(what + " port " + requested + " is already in use (another broker or local stack?). "
                    + "Stop whatever listens there, or choose another port with " + flag + " N (0 picks a free one).");
        }
        return requested;
    }
}
