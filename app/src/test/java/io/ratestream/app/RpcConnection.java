package io.ratestream.app;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.schemas.json.Json;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One JSON-RPC/TCP connection to the gateway, as a plain client holds it: write request objects, read
 * answers one JSON value at a time (numbers as BigDecimal). Not thread-safe: one thread writes and reads.
 */
final class RpcConnection implements AutoCloseable {

    static final ObjectMapper MAPPER = Json.newMapper().disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Socket socket;
    private final OutputStream out;
    private JsonParser parser;

    /**
     * @param receiveBuffer the socket's receive buffer in bytes, set before connecting; 0 for the default
     * @param readTimeoutMs how long {@link #read()} waits for an answer before it throws
     */
    RpcConnection(int port, int receiveBuffer, int readTimeoutMs) throws IOException {
        socket = new Socket();
        try {
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer);
            }
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(readTimeoutMs);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            out = socket.getOutputStream();
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    RpcConnection(int port, int readTimeoutMs) throws IOException {
        this(port, 0, readTimeoutMs);
    }

    /** A connection over a socket already connected (a TLS socket, say). */
    RpcConnection(Socket connected, int readTimeoutMs) throws IOException {
        socket = connected;
        try {
            socket.setSoTimeout(readTimeoutMs);
            out = socket.getOutputStream();
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    void send(String request) throws IOException {
        out.write(request.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The next answer; throws when the connection was closed or nothing came within the read timeout. */
    JsonNode read() throws IOException {
        if (parser == null) {
            // created at the first read: Jackson reads the first bytes to detect the encoding
            parser = MAPPER.getFactory().createParser(socket.getInputStream());
        }
        JsonNode answer = MAPPER.readTree(parser);
        if (answer == null) {
            throw new EOFException("the gateway closed the connection");
        }
        return answer;
    }

    JsonNode call(String request) throws IOException {
        send(request);
        return read();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a socket that failed already: nothing to do
        }
    }

    /** A JSON-RPC 2.0 request. */
    static String request(long id, String method, String params) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}";
    }

    /** The params of a DebitBalance; {@code requestId} null for none. */
    static String debitParams(String tenant, String subject, String amount, String requestId) {
        return "[{\"CstmId\":\"" + tenant + "\",\"Subject\":\"" + subject + "\",\"Amount\":" + amount
                + (requestId == null ? "" : ",\"RequestId\":\"" + requestId + "\"") + "}]";
    }

    /** A JSON-RPC 2.0 DebitBalance request; {@code requestId} null for none. */
    static String debit(long id, String tenant, String subject, String amount, String requestId) {
        return request(id, "Responder.DebitBalance", debitParams(tenant, subject, amount, requestId));
    }
}
