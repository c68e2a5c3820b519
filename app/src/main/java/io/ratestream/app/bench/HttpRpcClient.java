package io.ratestream.app.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * JSON-RPC (1.0 or 2.0, {@link JsonRpcVersion}) over HTTP/1.1: each call is one {@code POST /jsonrpc}
 * with the same request object the TCP client sends, on one of {@code connections} persistent
 * (keep-alive) connections, each carrying one call at a time (no pipelining). So a load driver that
 * keeps N calls in flight on this client holds N HTTP connections busy, as it holds N calls on one TCP
 * connection. A call waits in a queue when every connection is busy (the open loop may send faster than
 * answers come; its latency counts from the scheduled time, so the wait is counted). Futures complete on
 * the connection's thread.
 *
 * <p><b>Why plain sockets and not {@code java.net.http.HttpClient}.</b> The JDK client opens a connection
 * whenever none is idle in its pool and returns it to the pool only after the response future has
 * completed, so a driver that sends its next call from that completion opens more connections than it
 * keeps in flight, and the count is the pool's, not ours; it also hops each response between its
 * selector thread and an executor. Here each connection is one socket and one thread doing a blocking
 * write then read: exactly the connections asked for, open from the start, one write and one read a call.
 *
 * <p><b>What comes back.</b> The gateway answers 200 with the JSON-RPC response, results and errors alike
 * (so "timeout", -32001 or "outcome unknown: ...", and "unavailable", -32002 or "Kafka is unavailable
 * ...", arrive as they do over TCP), and 400 with a JSON-RPC error for malformed JSON. It may also answer
 * 503 (Kafka unreachable) or 504 (no reply in time) with
 * {@code {"Error": "..."}} and no JSON-RPC envelope: those become error responses with code
 * {@link RpcClient#UNAVAILABLE} or {@link RpcClient#TIMEOUT}, whatever the body, so
 * {@link RpcClient#isRetriable} treats them as on TCP. Any other answer that is not a JSON-RPC response
 * becomes an {@link RpcClient#INTERNAL_ERROR} naming the status.
 *
 * <p><b>Connections the server closes.</b> After a response with {@code Connection: close} the connection
 * is opened again for the next call. A call written on a kept-alive connection that the server closed
 * while it was idle (closed before the first byte of an answer) is sent once more on a new connection:
 * every bench call may be sent twice (debits carry a RequestId, the other calls change nothing).
 */
final class HttpRpcClient implements RpcClient {

    private static final String PATH = "/jsonrpc";
    private static final int MAX_MESSAGE = 200;

    private final String server;
    private final ObjectMapper mapper;
    private final JsonRpcVersion version;
    private final BlockingQueue<Call> queue = new LinkedBlockingQueue<>();
    private final List<Connection> connections = new ArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    private final String apiKey;
    private volatile boolean closing;

    private record Call(long id, byte[] request, CompletableFuture<JsonNode> future) {
    }

    /** Opens {@code connections} connections to {@code server} ({@code host:port}, from --http-server). */
    HttpRpcClient(String server, int connections, ObjectMapper mapper) throws IOException {
        this(server, connections, mapper, JsonRpcVersion.DEFAULT, null);
    }

    /**
     * The same, sending requests of {@code version}, and {@code Authorization: Bearer apiKey} (from
     * --api-key) when it is not null.
     */
    HttpRpcClient(String server, int connections, ObjectMapper mapper, JsonRpcVersion version, String apiKey)
            throws IOException {
        this.server = server;
        this.mapper = mapper;
        this.version = version;
        this.apiKey = apiKey;
        try {
            for (int i = 0; i < connections; i++) {
                Connection connection = new Connection();
                connection.open();
                this.connections.add(connection);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        for (int i = 0; i < this.connections.size(); i++) {
            Thread thread = new Thread(this.connections.get(i), "bench-http-" + server + "-" + i);
            thread.setDaemon(true);
            this.connections.get(i).thread = thread;
            thread.start();
        }
    }

    @Override
    public CompletableFuture<JsonNode> call(String method, ObjectNode descriptor) {
        long id = ids.incrementAndGet();
        CompletableFuture<JsonNode> future = new CompletableFuture<>();
        try {
            byte[] json = mapper.writeValueAsBytes(version.request(mapper, id, method, descriptor));
            Call call = new Call(id, Http11.post(server, PATH, json, apiKey), future);
            queue.add(call);
            if (closing && queue.remove(call)) {
                future.completeExceptionally(new IOException("connection closed"));
            }
        } catch (JsonProcessingException e) {
            future.completeExceptionally(e);
        }
        return future;
    }

    /** The response object for one HTTP answer; see the class comment. */
    JsonNode answer(long id, Http11.Response response) {
        JsonNode json = parse(response.body());
        int status = response.status();
        if (status == 503 || status == 504) {
            return RpcClient.errorResponse(mapper, id, status == 504 ? TIMEOUT : UNAVAILABLE,
                    "HTTP " + status + ": " + describe(json, response.body()));
        }
        if (json != null && json.isObject() && (json.has("result") || json.has("error"))) {
            return json;
        }
        return RpcClient.errorResponse(mapper, id, INTERNAL_ERROR,
                "HTTP " + status + " without a JSON-RPC response: " + describe(json, response.body()));
    }

    private JsonNode parse(byte[] body) {
        try {
            return body.length == 0 ? null : mapper.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static String describe(JsonNode json, byte[] body) {
        if (json != null && json.hasNonNull("Error")) {
            return json.get("Error").asText();
        }
        if (json != null && json.hasNonNull("error")) {
            return RpcClient.errorText(json);
        }
        String text = new String(body, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return "(no body)";
        }
        return text.length() <= MAX_MESSAGE ? text : text.substring(0, MAX_MESSAGE) + "...";
    }

    @Override
    public void close() {
        closing = true;
        for (Connection connection : connections) {
            connection.drop();
            if (connection.thread != null) {
                connection.thread.interrupt();
            }
        }
        for (Call call = queue.poll(); call != null; call = queue.poll()) {
            call.future().completeExceptionally(new IOException("connection closed"));
        }
    }

    /** One keep-alive connection and the thread that carries its calls, one at a time. */
    private final class Connection implements Runnable {
        private volatile Socket socket;
        private InputStream in;
        private OutputStream out;
        private Thread thread;

        @Override
        public void run() {
            while (!closing) {
                Call call;
                try {
                    call = queue.take();
                } catch (InterruptedException e) {
                    return; // closing
                }
                try {
                    call.future().complete(answer(call.id(), exchange(call.request())));
                } catch (IOException | RuntimeException e) {
                    drop();
                    call.future().completeExceptionally(closing ? new IOException("connection closed") : e);
                }
            }
        }

        /** Writes one request and reads its response; again on a new connection if a kept-alive one was closed. */
        private Http11.Response exchange(byte[] request) throws IOException {
            boolean reused = socket != null;
            try {
                return once(request);
            } catch (Http11.ClosedBeforeAnswer e) {
                drop();
                if (!reused || closing) {
                    throw e;
                }
                return once(request);
            }
        }

        private Http11.Response once(byte[] request) throws IOException {
            if (closing) {
                throw new IOException("connection closed");
            }
            if (socket == null) {
                open();
            }
            try {
                out.write(request);
                out.flush();
            } catch (IOException e) {
                throw new Http11.ClosedBeforeAnswer("the connection broke while sending: " + e.getMessage(), e);
            }
            Http11.Response response = Http11.read(in);
            if (!response.keepAlive()) {
                drop();
            }
            return response;
        }

        private void open() throws IOException {
            Socket opened = RpcClient.connect(server, "--http-server");
            in = new BufferedInputStream(opened.getInputStream(), 8192);
            out = opened.getOutputStream();
            socket = opened;
        }

        private void drop() {
            Socket current = socket;
            socket = null;
            if (current != null) {
                try {
                    current.close();
                } catch (IOException e) {
                    // closing a socket that broke: nothing more to release
                }
            }
        }
    }
}
