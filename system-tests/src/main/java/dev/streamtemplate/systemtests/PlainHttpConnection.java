package dev.streamtemplate.systemtests;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * One persistent HTTP/1.1 connection that sends a GET and reads the whole answer, blocking: the load generator's
 * client in {@link OpenLoopLoad}. It does a fraction of the work of {@code java.net.http.HttpClient} per request (no
 * futures, no pool bookkeeping, no header validation), which matters when the load generator shares two cores with the
 * servers it measures. Understands {@code Content-Length} and chunked bodies; reconnects after an error. Not
 * thread-safe: one per worker thread.
 */
final class PlainHttpConnection implements AutoCloseable {

    private final String host;
    private final int port;
    private final Duration timeout;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    PlainHttpConnection(String host, int port, Duration timeout) {
        this.host = host;
        this.port = port;
        this.timeout = timeout;
    }

    /** GETs {@code uri} (whose host and port must be this connection's); never throws (status 0 on failure). */
    RoutedAnswer get(URI uri, Map<String, String> headers) {
        long started = System.nanoTime();
        String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        StringBuilder request = new StringBuilder(256).append("GET ").append(path).append(" HTTP/1.1\r\nHost: ")
                .append(host).append(':').append(port).append("\r\nAccept: application/json\r\n");
        headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        request.append("\r\n");
        try {
            if (socket == null) {
                connect();
            }
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return read(uri, started);
        } catch (IOException | RuntimeException e) {
            close();
            return new RoutedAnswer(uri, 0, e.toString(), null, null, null, null, null, System.nanoTime() - started,
                    e instanceof SocketTimeoutException);
        }
    }

    private void connect() throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout((int) timeout.toMillis());
        socket.connect(new InetSocketAddress(host, port), (int) Math.min(timeout.toMillis(), 2_000));
        in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        out = socket.getOutputStream();
    }

    private RoutedAnswer read(URI uri, long started) throws IOException {
        String statusLine = line();
        if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
            throw new IOException("no HTTP status line: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String header = line(); !header.isEmpty(); header = line()) {
            int colon = header.indexOf(':');
            if (colon > 0) {
                headers.put(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
            }
        }
        byte[] body;
        if ("chunked".equalsIgnoreCase(headers.getOrDefault("Transfer-Encoding", ""))) {
            ByteArrayOutputStream chunks = new ByteArrayOutputStream();
            for (int size = Integer.parseInt(line().split(";")[0].trim(), 16); size > 0;
                 size = Integer.parseInt(line().split(";")[0].trim(), 16)) {
                chunks.write(in.readNBytes(size));
                line();
            }
            while (!line().isEmpty()) {
                // trailers
            }
            body = chunks.toByteArray();
        } else {
            int length = Integer.parseInt(headers.getOrDefault("Content-Length", "0"));
            body = in.readNBytes(length);
            if (body.length != length) {
                throw new IOException("connection closed after " + body.length + " of " + length + " body bytes");
            }
        }
        if ("close".equalsIgnoreCase(headers.getOrDefault("Connection", ""))) {
            close();
        }
        return new RoutedAnswer(uri, status, new String(body, StandardCharsets.UTF_8),
                headers.get(RoutedAnswer.SERVED_BY), headers.get(RoutedAnswer.REPLICA), headers.get(RoutedAnswer.OFFSET_LAG),
                headers.get(RoutedAnswer.PARTIAL), headers.get("Retry-After"), System.nanoTime() - started, false);
    }

    /** One header line without its CRLF; throws at end of stream. */
    private String line() throws IOException {
        StringBuilder line = new StringBuilder(64);
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                int end = line.length();
                return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
            }
            line.append((char) c);
        }
        throw new IOException("connection closed by " + host + ":" + port
                + (line.length() == 0 ? "" : " in the middle of a line: " + line));
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        socket = null;
        in = null;
        out = null;
    }
}
