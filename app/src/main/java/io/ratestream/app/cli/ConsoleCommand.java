package io.ratestream.app.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ratestream.schemas.json.Json;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The 2012 console: one call over JSON-RPC/TCP, printed for a person (or as JSON). */
@Command(name = "console", mixinStandardHelpOptions = true,
        description = "The 2012 console's commands over JSON-RPC/TCP: getcost, getmaxsessiontime, "
                + "getexactmaxsessiontime, debitbalance, debitsms, debitseconds, addvolumediscountseconds, "
                + "resetvolumediscountseconds, addrecievedcallseconds, resetuserbudget, status; and the prepaid "
                + "sessions' sessionstart, sessionupdate, sessionend. Flags take one dash or two, as the original's "
                + "did.")
final class ConsoleCommand implements Callable<Integer> {

    private static final Map<String, String> METHODS = Map.ofEntries(
            Map.entry("getcost", "Responder.GetCost"),
            Map.entry("getmaxsessiontime", "Responder.GetMaxSessionTime"),
            Map.entry("getexactmaxsessiontime", "Responder.GetExactMaxSessionTime"),
            Map.entry("debitbalance", "Responder.DebitBalance"),
            Map.entry("debitsms", "Responder.DebitSMS"),
            Map.entry("debitseconds", "Responder.DebitSeconds"),
            Map.entry("addvolumediscountseconds", "Responder.AddVolumeDiscountSeconds"),
            Map.entry("resetvolumediscountseconds", "Responder.ResetVolumeDiscountSeconds"),
            Map.entry("addrecievedcallseconds", "Responder.AddRecievedCallSeconds"),
            Map.entry("addreceivedcallseconds", "Responder.AddRecievedCallSeconds"),
            Map.entry("resetuserbudget", "Responder.ResetUserBudget"),
            Map.entry("sessionstart", "Responder.SessionStart"),
            Map.entry("sessionupdate", "Responder.SessionUpdate"),
            Map.entry("sessionend", "Responder.SessionEnd"),
            Map.entry("status", "Responder.Status"));

    @Parameters(index = "0", description = "the command, e.g. getcost")
    String command;

    @Option(names = {"--server", "-server"}, defaultValue = "127.0.0.1:2001",
            description = "JSON-RPC address (default: ${DEFAULT-VALUE})")
    String server;

    @Option(names = {"--cstmid", "-cstmid"}, defaultValue = "vdf", description = "tenant (default: ${DEFAULT-VALUE})")
    String cstmid;

    @Option(names = {"--subject", "-subject"}, defaultValue = "rif", description = "subject (default: ${DEFAULT-VALUE})")
    String subject;

    @Option(names = {"--dest", "-dest"}, defaultValue = "0256", description = "destination (default: ${DEFAULT-VALUE})")
    String dest;

    @Option(names = {"--ts", "-ts"}, description = "start time, RFC 3339 (getcost: default now)")
    String ts;

    @Option(names = {"--te", "-te"}, description = "end time, RFC 3339 (getcost: default the start)")
    String te;

    @Option(names = {"--amount", "-amount"}, description = "amount: cents, SMS, seconds (sessions: seconds wanted)")
    String amount;

    @Option(names = {"--sessionid", "-sessionid"},
            description = "the prepaid session (sessionstart, sessionupdate, sessionend)")
    String sessionId;

    @Option(names = {"--used", "-used"}, description = "seconds the session used since its start (sessionupdate, "
            + "sessionend)")
    String used;

    @Option(names = {"--requestid", "-requestid"},
            description = "a request id: the same id again is a retry, answered as the first time and applied once")
    String requestId;

    @Option(names = {"--tor", "-tor"}, defaultValue = "0", description = "type of record (default: ${DEFAULT-VALUE})")
    int tor;

    @Option(names = "--json", description = "print the JSON-RPC response as it came")
    boolean json;

    @Option(names = {"--api-key", "-api-key"},
            description = "the API key of a gateway started with --auth: sent with Responder.Authenticate first")
    String apiKey;

    @Option(names = {"--tls", "-tls"}, description = "connect over TLS (a gateway started with --tls-cert)")
    boolean tls;

    @Option(names = {"--tls-ca", "-tls-ca"}, paramLabel = "PEM",
            description = "with --tls: the CA that signed the gateway's certificate (default: the JDK's CAs)")
    java.nio.file.Path tlsCa;

    @Option(names = {"--tls-client-cert", "-tls-client-cert"}, paramLabel = "PEM",
            description = "with --tls: a client certificate to present (a gateway with --tls-client-ca needs one)")
    java.nio.file.Path tlsClientCert;

    @Option(names = {"--tls-client-key", "-tls-client-key"}, paramLabel = "PEM",
            description = "the client certificate's unencrypted PKCS#8 key")
    java.nio.file.Path tlsClientKey;

    @Override
    public Integer call() throws Exception {
        String method = METHODS.get(command.toLowerCase(Locale.ROOT));
        if (method == null) {
            throw new IllegalArgumentException("unknown command '" + command + "': one of "
                    + String.join(", ", new java.util.TreeSet<>(METHODS.keySet())));
        }
        ObjectMapper mapper = Json.newMapper().disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        ObjectNode descriptor = mapper.createObjectNode().put("TOR", tor).put("CstmId", cstmid).put("Subject", subject)
                .put("DestinationPrefix", dest);
        String start = ts;
        if (method.equals("Responder.GetCost") && start == null) {
            start = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).withNano(0).toString();
        }
        if (start != null) {
            descriptor.put("TimeStart", start);
        }
        if (te != null || method.equals("Responder.GetCost")) {
            descriptor.put("TimeEnd", te != null ? te : start);
        }
        if (amount != null) {
            descriptor.put("Amount", new java.math.BigDecimal(amount));
        }
        if (sessionId != null) {
            descriptor.put("SessionId", sessionId);
        }
        if (used != null) {
            descriptor.put("Used", new java.math.BigDecimal(used));
        }
        if (requestId != null) {
            descriptor.put("RequestId", requestId);
        }
        ObjectNode request = mapper.createObjectNode().put("id", 1).put("method", method);
        request.putArray("params").add(descriptor);
        JsonNode response = call(mapper, mapper.writeValueAsBytes(request));
        if (json) {
            System.out.println(mapper.writeValueAsString(response));
        } else if (!response.path("error").isNull()) {
            System.out.println("error: " + response.get("error").asText());
        } else {
            System.out.println(readable(mapper, method, response.get("result")));
        }
        return response.path("error").isNull() ? 0 : 1;
    }

    private JsonNode call(ObjectMapper mapper, byte[] request) throws Exception {
        int colon = server.lastIndexOf(':');
        String host = server.substring(0, colon);
        int port = Integer.parseInt(server.substring(colon + 1));
        try (Socket socket = tls || tlsCa != null || tlsClientCert != null ? tlsSocket(host, port) : new Socket(host, port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            // The gateway ends every response with a newline, as Go's server does.
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8));
            if (apiKey != null) {
                ObjectNode authenticate = mapper.createObjectNode().put("id", 0).put("method", "Responder.Authenticate");
                authenticate.putArray("params").addObject().put("ApiKey", apiKey);
                out.write(mapper.writeValueAsBytes(authenticate));
                out.flush();
                JsonNode answer = response(mapper, in);
                if (!answer.path("error").isNull()) {
                    return answer; // the refusal is what the user needs to see
                }
            }
            out.write(request);
            out.flush();
            return response(mapper, in);
        } catch (java.net.ConnectException e) {
            throw new IllegalStateException("cannot connect to " + server + ": is ratestream running? (" + e.getMessage()
                    + ")");
        }
    }

    private Socket tlsSocket(String host, int port) throws java.io.IOException {
        javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) io.ratestream.gateway.tls.ClientTls
                .context(tlsCa, tlsClientCert, tlsClientKey).getSocketFactory().createSocket(host, port);
        javax.net.ssl.SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
        socket.setSSLParameters(parameters);
        return socket;
    }

    private static JsonNode response(ObjectMapper mapper, java.io.BufferedReader in) throws java.io.IOException {
        String line = in.readLine();
        if (line == null) {
            throw new java.io.EOFException("the gateway closed the connection without an answer");
        }
        return mapper.readTree(line);
    }

    private static String readable(ObjectMapper mapper, String method, JsonNode result) throws Exception {
        if (!method.equals("Responder.GetCost")) {
            return result.isNumber() ? result.decimalValue().toPlainString()
                    : mapper.writerWithDefaultPrettyPrinter().writeValueAsString(result);
        }
        StringBuilder text = new StringBuilder()
                .append("cost ").append(result.get("Cost").decimalValue().toPlainString())
                .append(" (connect fee ").append(result.get("ConnectFee").decimalValue().toPlainString())
                .append(", matched prefix ").append(result.get("DestinationPrefix").asText()).append(")");
        for (JsonNode span : result.path("Timespans")) {
            text.append("\n  ").append(span.get("TimeStart").asText()).append(" .. ").append(span.get("TimeEnd").asText())
                    .append("  ").append(span.get("Cost").decimalValue().toPlainString());
            if (span.has("Interval")) {
                JsonNode interval = span.get("Interval");
                text.append("  at ").append(interval.get("Price").decimalValue().toPlainString()).append(" per ")
                        .append(interval.get("BillingUnit").decimalValue().toPlainString()).append(" s");
            } else {
                JsonNode bucket = span.get("MinuteInfo");
                text.append("  from bucket ").append(bucket.get("DestinationId").asText()).append(", ")
                        .append(bucket.get("Quantity").decimalValue().toPlainString()).append(" s at ")
                        .append(bucket.get("Price").decimalValue().toPlainString());
            }
        }
        return text.toString();
    }
}
