package io.ratestream.streams.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.files.CgratesFiles;
import io.ratestream.schemas.files.DataFileException;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.Keys;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.reply.Reply;
import io.ratestream.streams.rating.Decision;
import io.ratestream.streams.rating.Engine;
import io.ratestream.streams.rating.InMemoryReferenceData;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * The engine alone, in one process, on a data directory in the original formats: reads JSON-RPC request
 * objects ({@code {"id":1,"method":"Responder.GetCost","params":[{...}]}}), one per line on standard
 * input or one per argument, and prints one JSON-RPC response per request. Budgets live in memory for
 * the run: debits in one run apply in order; nothing is kept afterwards. A stand-in for
 * {@code ratestream dev} until the Kafka pipeline and the gateway exist.
 */
public final class LocalRater {

    private final ObjectMapper mapper = Json.newMapper();
    private final Engine engine;
    private final Map<String, UserBudget> budgets = new HashMap<>();
    private final Clock clock;
    private long sequence;

    LocalRater(DataSet data, String tenant, Clock clock) {
        this.engine = new Engine(new InMemoryReferenceData(data.ratingProfiles(), data.destinations(),
                data.tariffPlans()));
        data.userBudgets().forEach(budget -> budgets.put(Keys.budget(tenant, budget.id()), budget));
        this.clock = clock;
    }

    /**
     * Usage: {@code LocalRater [--data DIR] [--tenant T] [REQUEST_JSON ...]}. Without requests, reads
     * them from standard input, one per line.
     */
    public static void main(String[] args) throws IOException {
        Path data = Path.of("demo", "cgrates-2012");
        String tenant = "vdf";
        int first = 0;
        while (first + 1 < args.length && args[first].startsWith("--")) {
            switch (args[first]) {
                case "--data" -> data = Path.of(args[first + 1]);
                case "--tenant" -> tenant = args[first + 1];
                default -> usage("unknown option " + args[first]);
            }
            first += 2;
        }
        LocalRater rater;
        try {
            rater = new LocalRater(new CgratesFiles(Json.newMapper()).readDirectory(data), tenant, Clock.systemUTC());
        } catch (DataFileException e) {
            usage(e.getMessage());
            return;
        }
        PrintStream out = System.out;
        if (first < args.length) {
            for (int i = first; i < args.length; i++) {
                out.println(rater.handle(args[i]));
            }
            return;
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (!line.isBlank()) {
                out.println(rater.handle(line));
            }
        }
    }

    private static void usage(String problem) {
        System.err.println("ratestream rate: " + problem);
        System.err.println("usage: ratestream rate [--data DIR] [--tenant T] ['{\"id\":1,\"method\":"
                + "\"Responder.GetCost\",\"params\":[{...}]}' ...]   (or requests on stdin, one per line)");
        System.exit(2);
    }

    /** One JSON-RPC request in, one JSON-RPC response out (never throws for bad input). */
    String handle(String requestJson) {
        ObjectNode response = mapper.createObjectNode();
        response.putNull("id");
        try {
            JsonNode request = mapper.readTree(requestJson);
            if (request != null && request.has("id")) {
                response.set("id", request.get("id"));
            }
            Object result = call(request);
            response.set("result", mapper.valueToTree(result));
            response.putNull("error");
        } catch (JsonProcessingException e) {
            response.putNull("result");
            response.put("error", "malformed request: " + e.getOriginalMessage());
        } catch (IOException | IllegalArgumentException e) {
            response.putNull("result");
            response.put("error", e.getMessage());
        }
        try {
            return mapper.writeValueAsString(response);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a response tree always serializes", e);
        }
    }

    private Object call(JsonNode request) throws IOException {
        if (request == null || !request.isObject() || !request.path("method").isTextual()) {
            throw new IllegalArgumentException("a request is an object with \"method\" and \"params\"");
        }
        Method method = Method.fromName(request.get("method").asText());
        JsonNode params = request.path("params");
        JsonNode first = params.isArray() ? params.path(0) : params;
        CallDescriptor descriptor = mapper.treeToValue(first, CallDescriptor.class);
        if (descriptor == null) {
            throw new IllegalArgumentException("params must hold one call descriptor");
        }
        String id = descriptor.requestId() != null ? descriptor.requestId() : "local-" + (++sequence);
        Command command = new Command(id, method, descriptor, clock.instant(), null, null);
        Decision decision = engine.decide(budgets.get(command.key()), command);
        if (decision.budget() != null) {
            budgets.put(command.key(), decision.budget());
        }
        Reply reply = decision.reply();
        if (reply.isError()) {
            throw new IllegalArgumentException(reply.error());
        }
        return reply.result();
    }
}
