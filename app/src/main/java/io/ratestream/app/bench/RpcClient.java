package io.ratestream.app.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;

/**
 * One way of calling the gateway with JSON-RPC 1.0 or 2.0 ({@link JsonRpcVersion}): over TCP
 * ({@link TcpRpcClient}) or over HTTP ({@link HttpRpcClient}). The load driver and the self-check see
 * only this, and read a response of either version with the static methods here. {@link #call} is
 * thread-safe; its future completes with the whole response object (which holds {@code result} or
 * {@code error}), or exceptionally when the connection breaks.
 */
interface RpcClient extends AutoCloseable {

    /** JSON-RPC 2.0 error codes the gateway uses for "may or may not have happened: try again". */
    int TIMEOUT = -32001;
    int UNAVAILABLE = -32002;
    /** JSON-RPC 2.0 "internal error": what a failure that is not a JSON-RPC response becomes. */
    int INTERNAL_ERROR = -32603;

    /** Sends one call; the future completes with the response object. */
    CompletableFuture<JsonNode> call(String method, ObjectNode descriptor);

    @Override
    void close() throws IOException;

    /**
     * Whether a response is an error to send again with the same RequestId: it may or may not have been
     * applied (timeout), or nothing was sent (Kafka unavailable). A 2.0 error says so by its code, a 1.0
     * error (a sentence) by its words ({@link JsonRpcVersion#isRetriable1}).
     */
    static boolean isRetriable(JsonNode response) {
        JsonNode error = response.path("error");
        if (error.isTextual()) {
            return JsonRpcVersion.isRetriable1(error.textValue());
        }
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

    /**
     * An error response made on this side, e.g. for an HTTP status without a JSON-RPC body: in 2.0's form
     * whatever the version sent, so that {@link #isRetriable} reads its code.
     */
    static ObjectNode errorResponse(ObjectMapper mapper, long id, int code, String message) {
        ObjectNode response = mapper.createObjectNode().put("jsonrpc", "2.0").put("id", id);
        response.putObject("error").put("code", code).put("message", message);
        return response;
    }

    /**
     * A TCP connection, Nagle off, to {@code server} ({@code host:port}, as given to {@code option}), with
     * an error message that says what to check when nothing listens there.
     */
    static Socket connect(String server, String option) throws IOException {
        int colon = server.lastIndexOf(':');
        int port;
        try {
            port = colon < 0 ? -1 : Integer.parseInt(server.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0) {
            throw new IllegalArgumentException(option + " must be host:port; got '" + server + "'");
        }
        Socket socket;
        try {
            socket = new Socket(server.substring(0, colon), port);
        } catch (ConnectException e) {
            throw new IllegalStateException("cannot connect to " + server + ": is ratestream running? Check "
                    + option + " (" + e.getMessage() + ")", e);
        }
        socket.setTcpNoDelay(true);
        return socket;
    }
}
