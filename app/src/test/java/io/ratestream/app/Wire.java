package io.ratestream.app;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.schemas.json.Json;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Minimal real clients of the gateway: one JSON-RPC request over a new TCP connection, one HTTP GET. */
final class Wire {

    private static final ObjectMapper STREAM = Json.newMapper().disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Wire() {
    }

    static JsonNode rpc(int port, String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            return STREAM.readTree(STREAM.getFactory().createParser(socket.getInputStream()));
        }
    }

    static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String debit(int id, String subject, String amount) {
        return debit(id, "vdf", subject, amount);
    }

    static String debit(int id, String tenant, String subject, String amount) {
        return "{\"id\":" + id + ",\"method\":\"Responder.DebitBalance\",\"params\":[{\"CstmId\":\"" + tenant
                + "\",\"Subject\":\"" + subject + "\",\"Amount\":" + amount + "}]}";
    }
}
