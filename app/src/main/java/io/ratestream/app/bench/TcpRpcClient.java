package io.ratestream.app.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One JSON-RPC connection over TCP with any number of calls in flight: requests are written one after
 * the other, each 1.0 request followed by a newline as Go's {@code net/rpc/jsonrpc} client writes them
 * (2.0 ones with nothing between them, as bench always sent them), replies are
 * read as a stream of JSON objects and matched to calls by their numeric {@code id}, as the gateway may
 * answer out of order. Futures complete on this connection's reader thread.
 */
final class TcpRpcClient implements RpcClient {

    private final ObjectMapper mapper;
    private final JsonRpcVersion version;
    private final Socket socket;
    private final OutputStream out;
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private volatile boolean closing;

    TcpRpcClient(String server, ObjectMapper mapper) throws IOException {
        this(server, mapper, JsonRpcVersion.DEFAULT);
    }

    /** A connection sending requests of {@code version}. */
    TcpRpcClient(String server, ObjectMapper mapper, JsonRpcVersion version) throws IOException {
        this.mapper = mapper;
        this.version = version;
        socket = RpcClient.connect(server, "--server");
        out = new BufferedOutputStream(socket.getOutputStream(), 8192);
        Thread reader = new Thread(this::readReplies, "bench-reader-" + server);
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * A connection authenticated with {@code apiKey} (from --api-key) before any call; none when null.
     *
     * @throws IOException when the gateway refuses the key
     */
    TcpRpcClient(String server, ObjectMapper mapper, JsonRpcVersion version, String apiKey) throws IOException {
        this(server, mapper, version);
        if (apiKey != null) {
            JsonNode answer;
            try {
                answer = call("Responder.Authenticate", mapper.createObjectNode().put("ApiKey", apiKey))
                        .get(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                close();
                throw new IOException("authenticating with --api-key failed: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                close();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while authenticating", e);
            }
            if (!answer.path("result").asBoolean(false)) {
                close();
                throw new IOException("the gateway refused --api-key: " + answer.path("error"));
            }
        }
    }

    @Override
    public CompletableFuture<JsonNode> call(String method, ObjectNode descriptor) {
        long id = ids.incrementAndGet();
        CompletableFuture<JsonNode> future = new CompletableFuture<>();
        pending.put(id, future);
        try {
            byte[] bytes = mapper.writeValueAsBytes(version.request(mapper, id, method, descriptor));
            synchronized (out) {
                out.write(bytes);
                if (version == JsonRpcVersion.V1_0) {
                    out.write('\n'); // Go's json.Encoder ends each request with a newline
                }
                out.flush();
            }
        } catch (IOException e) {
            pending.remove(id);
            future.completeExceptionally(e);
        }
        return future;
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
