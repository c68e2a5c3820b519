package io.ratestream.app.bench;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The little of HTTP/1.1 a JSON-RPC client needs: write a POST with a Content-Length body; read one
 * response with a Content-Length, chunked or (without either) close-delimited body, and whether the
 * connection may be used again. Stateless; the streams belong to the caller.
 */
final class Http11 {

    private static final int MAX_LINE = 8192;
    private static final int MAX_BODY = 64 << 20;

    private Http11() {
    }

    /** One response: the status, the body (empty when none) and whether the connection stays open. */
    record Response(int status, byte[] body, boolean keepAlive) {
    }

    /** The server closed the connection before the first byte of an answer: nothing was answered. */
    static final class ClosedBeforeAnswer extends IOException {
        private static final long serialVersionUID = 1L;

        ClosedBeforeAnswer(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The bytes of {@code POST path HTTP/1.1} with a JSON body, to write in one go. */
    static byte[] post(String hostAndPort, String path, byte[] json) {
        return post(hostAndPort, path, json, null);
    }

    /** The same with {@code Authorization: Bearer apiKey} when the key is not null. */
    static byte[] post(String hostAndPort, String path, byte[] json, String apiKey) {
        byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: " + hostAndPort
                + (apiKey == null ? "" : "\r\nAuthorization: Bearer " + apiKey)
                + "\r\nContent-Type: application/json\r\nContent-Length: " + json.length + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        byte[] request = new byte[head.length + json.length];
        System.arraycopy(head, 0, request, 0, head.length);
        System.arraycopy(json, 0, request, head.length, json.length);
        return request;
    }

    /** Reads one response; skips interim (1xx) ones. */
    static Response read(InputStream in) throws IOException {
        int first;
        try {
            first = in.read();
        } catch (IOException e) {
            throw new ClosedBeforeAnswer("the connection broke before an answer: " + e.getMessage(), e);
        }
        if (first < 0) {
            throw new ClosedBeforeAnswer("the server closed the connection before answering", null);
        }
        String statusLine = (char) first + line(in);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x response: '" + statusLine + "'");
        }
        int status = parseInt(parts[1], statusLine);
        long length = -1;
        boolean chunked = false;
        boolean keepAlive = parts[0].equals("HTTP/1.1");
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            String name = colon < 0 ? header : header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = colon < 0 ? "" : header.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
            switch (name) {
                case "content-length" -> length = parseInt(value, header);
                case "transfer-encoding" -> chunked = value.contains("chunked");
                case "connection" -> keepAlive = !value.contains("close")
                        && (keepAlive || value.contains("keep-alive"));
                default -> { }
            }
        }
        if (status >= 100 && status < 200) {
            return read(in);
        }
        if (status == 204 || status == 304) {
            return new Response(status, new byte[0], keepAlive);
        }
        if (chunked) {
            return new Response(status, chunks(in), keepAlive);
        }
        if (length >= 0) {
            return new Response(status, exactly(in, length), keepAlive);
        }
        return new Response(status, in.readNBytes(MAX_BODY), false);
    }

    private static byte[] chunks(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (String size = line(in); ; size = line(in)) {
            int semicolon = size.indexOf(';');
            long length = parseHex(semicolon < 0 ? size.trim() : size.substring(0, semicolon).trim());
            if (length == 0) {
                for (String trailer = line(in); !trailer.isEmpty(); trailer = line(in)) {
                    // trailers carry nothing a JSON-RPC answer needs
                }
                return body.toByteArray();
            }
            if (body.size() + length > MAX_BODY) {
                throw tooLarge(body.size() + length);
            }
            body.writeBytes(exactly(in, length));
            line(in);
        }
    }

    private static byte[] exactly(InputStream in, long length) throws IOException {
        if (length > MAX_BODY) {
            throw tooLarge(length);
        }
        byte[] body = in.readNBytes((int) length);
        if (body.length < length) {
            throw new EOFException("the connection closed after " + body.length + " of " + length + " body bytes");
        }
        return body;
    }

    private static IOException tooLarge(long length) {
        return new IOException("a response body of " + length + " bytes is more than any JSON-RPC answer");
    }

    /** One line without its CR LF, as ISO-8859-1. */
    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("the connection closed inside a response head");
            }
            if (line.length() >= MAX_LINE) {
                throw new IOException("a response line is longer than " + MAX_LINE + " bytes");
            }
            line.append((char) b);
        }
        int end = line.length();
        return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
    }

    private static int parseInt(String text, String line) throws IOException {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IOException("cannot read the number in '" + line + "'", e);
        }
    }

    private static long parseHex(String text) throws IOException {
        try {
            return Long.parseLong(text, 16);
        } catch (NumberFormatException e) {
            throw new IOException("cannot read the chunk size '" + text + "'", e);
        }
    }
}
