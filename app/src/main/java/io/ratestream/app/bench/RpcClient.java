package io.ratestream.app.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One JSON-RPC 2.0 connection over TCP with any number of calls in flight: replies are matched to
 * calls by {@code id}, as the gateway may answer out of order. {@link #call} is thread-safe; the
 * returned future completes on this connection's reader thread with the whole response object (which
 * holds {@code result} or {@code error}), or exceptionally when the connection breaks.
 */
final class RpcClient implements AutoCloseable {

    /** JSON-RPC 2.0 error codes the gateway uses for "may or may not have happened: try again". */
    static final int TIMEOUT = -32001;
    static final int UNAVAILABLE = -32002;

    private final ObjectMapper mapper;
    private final Socket socket;
    private final OutputStream out;
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final Thread reader;
    private volatile boolean closing;

    RpcClient(String server, ObjectMapper mapper) throws IOException {
        this.mapper = mapper;
        int colon = server.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--server must be host:port; got '" + server + "'");
        }
        try {
            socket = new Socket(server.substring(0, colon), Integer.parseInt(server.substring(colon + 1)));
        } catch (ConnectException e) {
            throw new IllegalStateException("cannot connect to " + server + ": is ratestream running? ("
                    + e.getMessage() + ")", e);
        }
        socket.setTcpNoDelay(true);
        out = new BufferedOutputStream(socket.getOutputStream(), 8192);
        reader = new Thread(this::readReplies, "bench-reader-" + server);
        reader.setDaemon(true);
        reader.start();
    }

    /** Sends one call; the future completes with the response object. */
    CompletableFuture<JsonNode> call(String method, ObjectNode descriptor) {
        long id = ids.incrementAndGet();
        CompletableFuture<JsonNode> future = new CompletableFuture<>();
        pending.put(id, future);
        ObjectNode request = mapper.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
        request.putArray("params").add(descriptor);
        try {
            byte[] bytes = mapper.writeValueAsBytes(request);
            synchronized (out) {
                out.write(bytes);
                out.flush();
            }
        } catch (IOException e) {
            pending.remove(id);
            future.completeExceptionally(e);
        }
        return future;
    }

    /** Whether a response is an error that may or may not have been applied (timeout, Kafka unavailable). */
    static boolean isRetriable(JsonNode response) {
        JsonNode error = response.path("error");
        int code = error.path("code").asInt(0);
        return code == TIMEOUT || code == UNAVAILABLE;
    }

    static boolean isError(JsonNode response) {
        return response.hasNonNull("error");
    }

    static String errorText(JsonNode response) {
        JsonNode error = response.path("error");
        return error.isObject() ? error.path("message").asText() : error.asText();
    }

    private void readReplies() {
        try (MappingIterator<JsonNode> replies = mapper.readerFor(JsonNode.class).readValues(socket.getInputStream())) {
            while (replies.hasNextValue()) {
                JsonNode reply = replies.nextValue();
                CompletableFuture<JsonNode> future = pending.remove(reply.path("id").asLong(-1));
                if (future != null) {
                    future.complete(reply);
                }
            }
            failAll(new IOException("the gateway closed the connection"));
        } catch (IOException | RuntimeException e) {
            failAll(closing ? new IOException("connection closed") : e);
        }
    }

    private void failAll(Throwable error) {
        pending.keySet().forEach(id -> {
            CompletableFuture<JsonNode> future = pending.remove(id);
            if (future != null) {
                future.completeExceptionally(error);
            }
        });
    }

    @Override
    public void close() throws IOException {
        closing = true;
        socket.close();
    }
}
