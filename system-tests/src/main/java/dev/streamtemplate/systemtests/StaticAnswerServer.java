package dev.streamtemplate.systemtests;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;

/**
 * The query benchmark's floor: an HTTP server that answers every {@code GET} with the same bytes, a copy of a real
 * answer, so that the load generator, the loopback network and this machine's scheduling can be measured without a
 * service or a state store behind them. It runs in a JVM of its own, started by {@link QueryLatencyBenchmark} with the
 * instances' heap and collector. Uses the JDK's {@code com.sun.net.httpserver} with TCP_NODELAY
 * ({@code -Dsun.net.httpserver.nodelay=true}, which the benchmark passes; without it Nagle's algorithm and delayed
 * acknowledgements add tens of milliseconds) and a pool of 32 handler threads.
 *
 * <p>Arguments: the port on 127.0.0.1, and the file whose bytes every answer carries as
 * {@code application/json}. Runs until killed.
 */
public final class StaticAnswerServer {

    private StaticAnswerServer() {
    }

    /**
     * Starts the server.
     *
     * @param args the port, then the answer's file
     * @throws IOException when the file cannot be read or the port cannot be bound
     */
    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        byte[] answer = Files.readAllBytes(Path.of(args[1]));
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 128);
        server.setExecutor(Executors.newFixedThreadPool(32));
        server.createContext("/", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(answer);
            }
        });
        server.start();
        System.out.println("answering " + answer.length + " bytes on 127.0.0.1:" + port);
    }
}
