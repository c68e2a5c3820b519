package io.ratestream.app.fuzz;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 exchange over a new connection, with any bytes as the request (java.net.http refuses
 * malformed URIs, which are part of what is fuzzed). The answer's body is kept up to a limit and only
 * counted beyond it, so that a runaway answer costs the suite no memory; the whole exchange has a
 * deadline, and missing it is reported as a stall.
 */
final class RawHttp {

    /** How much of a body is kept. */
    static final int KEEP = 1 << 20;

    private RawHttp() {
    }

    /** An answer: status, headers (lower-case names), the kept body, and the body's full length. */
    record Answer(int status, Map<String, String> headers, byte[] body, long length) {
        boolean complete() {
            return body.length == length;
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** The bytes of a GET with {@code Connection: close}. */
    static byte[] get(String target, String... headers) {
        StringBuilder head = new StringBuilder("GET ").append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (String header : headers) {
            head.append(header).append("\r\n");
        }
        return head.append("Connection: close\r\n\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The bytes of a POST of {@code body} with {@code Connection: close}. */
    static byte[] post(String target, byte[] body) {
        byte[] head = ("POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] request = new byte[head.length + body.length];
        System.arraycopy(head, 0, request, 0, head.length);
        System.arraycopy(body, 0, request, head.length, body.length);
        return request;
    }

    static Answer exchange(int port, byte[] request, Duration deadline) throws IOException {
        long end = System.nanoTime() + deadline.toNanos();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout((int) deadline.toMillis());
            try {
                socket.getOutputStream().write(request);
                socket.getOutputStream().flush();
            } catch (IOException e) {
                // the server may answer (400, 413) and close before reading everything: read its answer
            }
            InputStream in = new BufferedInputStream(socket.getInputStream());
            try {
                String statusLine = line(in);
                if (statusLine == null) {
                    throw new AssertionError("the server closed the connection without an answer");
                }
                String[] parts = statusLine.split(" ", 3);
                if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                    throw new AssertionError("not an HTTP status line: " + Fuzz.show(statusLine));
                }
                int status = Integer.parseInt(parts[1]);
                Map<String, String> headers = new LinkedHashMap<>();
                for (String line = line(in); line != null && !line.isEmpty(); line = line(in)) {
                    int colon = line.indexOf(':');
                    if (colon > 0) {
                        headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
                    }
                }
                Body body = new Body();
                if (headers.containsKey("content-length")) {
                    body.copy(in, Long.parseLong(headers.get("content-length")), end);
                } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                    for (long size = Long.parseLong(line(in).split(";")[0].trim(), 16); size > 0;
                            size = Long.parseLong(line(in).split(";")[0].trim(), 16)) {
                        body.copy(in, size, end);
                        line(in);
                    }
                } else {
                    body.copy(in, Long.MAX_VALUE, end);
                }
                return new Answer(status, headers, body.kept.toByteArray(), body.length);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("stalled: no complete answer within " + deadline.toSeconds() + " s");
            }
        }
    }

    /** A body read in full, kept up to {@link #KEEP} bytes. */
    private static final class Body {
        final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        long length;

        void copy(InputStream in, long size, long end) throws IOException {
            byte[] buffer = new byte[64 * 1024];
            long left = size;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    if (size == Long.MAX_VALUE) {
                        return;
                    }
                    throw new AssertionError("the body ended after " + length + " of " + size + " bytes");
                }
                int keep = Math.max(0, Math.min(n, KEEP - kept.size()));
                kept.write(buffer, 0, keep);
                length += n;
                left -= n;
                if (System.nanoTime() > end) {
                    throw new AssertionError("stalled: the body was still coming after the deadline (" + length
                            + " bytes so far)");
                }
            }
        }
    }

    /** One CRLF-terminated line (ISO-8859-1), without the terminator; null at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0; b = in.read()) {
            if (b == '\n') {
                byte[] bytes = out.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
            }
            out.write(b);
            if (out.size() > 64 * 1024) {
                throw new AssertionError("a header line longer than 64 KiB");
            }
        }
        return out.size() == 0 ? null : new String(out.toByteArray(), StandardCharsets.ISO_8859_1);
    }
}
