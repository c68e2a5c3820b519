package io.ratestream.gateway.jsonrpc;

import static io.ratestream.gateway.jsonrpc.JsonRpcInputs.bytes;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.ratestream.gateway.jsonrpc.JsonRpcInputs.Style;
import io.ratestream.gateway.jsonrpc.JsonRpcOracle.Frame;
import io.ratestream.gateway.jsonrpc.JsonRpcOracle.Kind;
import io.ratestream.gateway.jsonrpc.JsonRpcOracle.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the JSON-RPC pipeline (framer, handler, protocol) with seeded random and mutated bytes, on an
 * {@code EmbeddedChannel} (fast, and it sees any exception that reaches the pipeline's end) and over a
 * real socket to a {@link JsonRpcServer}. The service behind it is a {@link ControllableService}, so that
 * what is checked is the wire: every well-formed request gets exactly one response with its id; every
 * other input gets an error response or a close; no response has both result and error; no response is
 * larger than {@value JsonRpcOracle#MAX_RESPONSE_BYTES} bytes; nothing escapes the pipeline. Failures
 * name the seed and case to replay (see {@link FuzzRunner}).
 */
class JsonRpcFuzzTest {

    private static final int MAX_REQUEST_BYTES = JsonRpcServer.Config.DEFAULT_MAX_REQUEST_BYTES;

    /** One input: bytes, and where to cut them into reads. */
    record Input(byte[] bytes, int[] cuts) {
        static Input of(String byteString, int... cuts) {
            return new Input(JsonRpcInputs.bytes(byteString), cuts);
        }

        String show() {
            return FuzzRunner.show(bytes) + (cuts.length == 0 ? "" : " [read in " + (cuts.length + 1) + " pieces]");
        }
    }

    // --- the properties ---

    @Test
    void shouldAnswerEveryWellFormedRequestOnceWithItsIdWhateverTheReads() {
        FuzzRunner.run("well-formed requests", 1001, 2500, List.of(), random -> {
            String text = JsonRpcInputs.sequence(random, Style.ORDINARY, 1 + random.nextInt(6), 1);
            return new Input(bytes(text), JsonRpcInputs.cuts(random, text.length()));
        }, Input::show, input -> {
            ControllableService service = new ControllableService(Arrays.hashCode(input.bytes()), true);
            EmbeddedChannel channel = channel(service);
            feed(channel, input);
            service.release();
            List<Response> responses = responses(channel);
            List<Frame> frames = JsonRpcOracle.frames(input.bytes(), MAX_REQUEST_BYTES);
            // answers come in completion order: match them by id
            Map<String, Integer> owed = new HashMap<>();
            for (Frame frame : frames) {
                if (frame.kind() != Kind.REQUEST && frame.kind() != Kind.NOTIFICATION) {
                    throw new AssertionError("the generator wrote a " + frame);
                }
                if (frame.kind() == Kind.REQUEST) {
                    owed.merge(key(frame.id()), 1, Integer::sum);
                }
            }
            for (Response response : responses) {
                if (owed.merge(key(response.id()), -1, Integer::sum) < 0) {
                    throw new AssertionError("a response nobody is owed: " + response + " for " + frames);
                }
            }
            owed.values().removeIf(n -> n == 0);
            if (!owed.isEmpty()) {
                throw new AssertionError("no response for ids " + owed.keySet() + "; responses " + responses);
            }
            if (!channel.isOpen()) {
                throw new AssertionError("closed a connection whose every request was well-formed");
            }
            finish(channel);
        });
    }

    @Test
    void shouldAnswerValidRequestsSplitAtEveryPoint() {
        List<String> requests = List.of(
                "{\"id\": 1, \"method\": \"Responder.Get\", \"params\": [{\"Tor\": 0, \"CstmId\": \"vdf\", "
                        + "\"Subject\": \"rif\", \"DestinationPrefix\": \"0256\", \"TimeStart\": \"2012-02-02T17:30:00Z\", "
                        + "\"TimeEnd\": \"2012-02-02T18:30:00Z\"}]}",
                "{\"jsonrpc\":\"2.0\",\"id\":\"x\\\"}{[\\\\\",\"method\":\"Responder.DebitBalance\",\"params\":[{\"CstmId\":"
                        + "\"vdf\",\"Subject\":\"" + JsonRpcInputs.utf8("\u021b\u0103r\u0103\uD83D\uDE00") + "\","
                        + "\"Amount\":1.5,\"RequestId\":\"r-}]\"}]}",
                "{\"id\":7,\"method\":\"Responder.Status\"}\n{\"id\":8,\"method\":\"A\",\"params\":[[[]],{}]}\r\n"
                        + "{\"params\":null,\"method\":\"B\",\"id\":[9]}");
        List<Input> corpus = new ArrayList<>();
        for (String request : requests) {
            for (int cut = 1; cut < request.length(); cut++) {
                corpus.add(Input.of(request, cut));
            }
            int[] everyByte = new int[request.length() - 1];
            Arrays.setAll(everyByte, i -> i + 1);
            corpus.add(Input.of(request, everyByte));
        }
        FuzzRunner.run("split at every point", 1002, 0, corpus, random -> null, Input::show, this::checkInChannel);
    }

    @Test
    void shouldAnswerAPipelineOfManyRequestsInOneWrite() {
        List<Input> corpus = List.of(pipeline(100), pipeline(5_000), pipeline(12_000));
        FuzzRunner.run("pipeline in one write", 1003, 0, corpus, random -> null, Input::show, this::checkInChannel);
    }

    /** {@code count} small requests back to back, to be written at once (105 bytes each). */
    private static Input pipeline(int count) {
        StringBuilder text = new StringBuilder();
        for (int id = 1; id <= count; id++) {
            text.append("{\"id\":").append(id).append(",\"method\":\"Responder.DebitBalance\",\"params\":[{\"CstmId\":"
                    + "\"vdf\",\"Subject\":\"minutosu\",\"Amount\":1}]}");
        }
        return Input.of(text.toString());
    }

    @Test
    void shouldAnswerHostileRequestsWithSmallResponses() {
        List<Input> corpus = new ArrayList<>();
        for (String number : JsonRpcInputs.HUGE_NUMBERS) {
            corpus.add(Input.of("{\"id\":" + number + ",\"method\":\"Responder.Status\"}"));
            corpus.add(Input.of("{\"id\":1,\"method\":\"Responder.DebitBalance\",\"params\":[{\"CstmId\":\"vdf\","
                    + "\"Subject\":\"minutosu\",\"Amount\":" + number + "}]}"));
        }
        for (int depth : new int[] {63, 64, 65, 1_000, 100_000}) {
            corpus.add(Input.of("{\"id\":1,\"method\":\"M\",\"params\":" + JsonRpcInputs.nested(depth) + "}"));
            corpus.add(Input.of("{\"id\":" + JsonRpcInputs.nested(depth) + ",\"method\":\"M\"}"));
            corpus.add(Input.of(JsonRpcInputs.nested(depth)));
        }
        corpus.add(Input.of("{".repeat(MAX_REQUEST_BYTES + 1)));
        corpus.add(Input.of("{\"id\":\"\\ud800\",\"method\":\"M\"}"));
        corpus.add(Input.of("{\"id\":\"" + JsonRpcInputs.raw(0xED, 0xA0, 0x80) + "\",\"method\":\"M\"}"));
        corpus.add(Input.of("{\"id\":\"" + "i".repeat(100_000) + "\",\"method\":\"M\"}"));
        corpus.add(Input.of("{\"id\":1,\"method\":\"" + "M".repeat(100_000) + "\"}"));
        corpus.add(Input.of("{\"id\":1,\"method\":\"M\",\"id\":2}"));
        FuzzRunner.run("hostile requests", 1004, 1500, corpus, random -> {
            String text = JsonRpcInputs.sequence(random, Style.HOSTILE, 1 + random.nextInt(3), 1);
            return new Input(bytes(text), JsonRpcInputs.cuts(random, text.length()));
        }, Input::show, this::checkInChannel);
    }

    @Test
    void shouldAnswerOrCloseOnMutatedRequests() {
        FuzzRunner.run("mutated requests", 1005, 4000, List.of(), random -> {
            Style style = random.nextInt(4) == 0 ? Style.HOSTILE : Style.ORDINARY;
            String text = JsonRpcInputs.mutate(random, JsonRpcInputs.sequence(random, style, 1 + random.nextInt(3), 1));
            return new Input(bytes(text), JsonRpcInputs.cuts(random, text.length()));
        }, Input::show, this::checkInChannel);
    }

    @Test
    void shouldAnswerOrCloseOnRandomBytes() {
        List<Input> corpus = List.of(
                Input.of("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
                Input.of(JsonRpcInputs.raw(0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03)),
                Input.of(JsonRpcInputs.raw(0xEF, 0xBB, 0xBF) + "{\"id\":1,\"method\":\"M\"}"),
                Input.of(JsonRpcInputs.raw(0x00).repeat(64)),
                Input.of("}"), Input.of("]"), Input.of("\"{\""), Input.of("null"), Input.of("1"),
                Input.of("{\"id\":1,\"method\":\"M\"}}"),
                Input.of("{\"id\":1,\"method\":\"M\"}x{\"id\":2,\"method\":\"M\"}"),
                Input.of("[{\"id\":1,\"method\":\"M\"},{\"id\":2,\"method\":\"M\"}]"),
                Input.of("{\"id\":1,\"method\":\"M\"}" + JsonRpcInputs.raw(0x0B, 0x0C, 0x1C, 0x1F)
                        + "{\"id\":2,\"method\":\"M\"}"));
        FuzzRunner.run("random bytes", 1006, 2500, corpus, random -> {
            String text = JsonRpcInputs.garbage(random);
            return new Input(bytes(text), JsonRpcInputs.cuts(random, text.length()));
        }, Input::show, this::checkInChannel);
    }

    @Test
    void shouldAnswerOrCloseOverARealSocket() {
        ControllableService service = new ControllableService(1007, false);
        JsonRpcServer server = new JsonRpcServer(new JsonRpcServer.Config("127.0.0.1", 0, MAX_REQUEST_BYTES,
                Duration.ofMinutes(1)), synchronizedService(service));
        server.start();
        try {
            Function<Random, Input> generator = random -> {
                String text = switch (random.nextInt(4)) {
                    case 0 -> JsonRpcInputs.sequence(random, Style.ORDINARY, 1 + random.nextInt(20), 1);
                    case 1 -> JsonRpcInputs.sequence(random, Style.HOSTILE, 1 + random.nextInt(3), 1);
                    case 2 -> JsonRpcInputs.mutate(random, JsonRpcInputs.sequence(random, Style.ORDINARY, 2, 1));
                    default -> JsonRpcInputs.garbage(random);
                };
                return new Input(bytes(text), JsonRpcInputs.cuts(random, Math.min(text.length(), 20)));
            };
            FuzzRunner.run("over a socket", 1007, 400, List.of(pipeline(12_000), pipeline(30_000)), generator, Input::show,
                    input -> checkOverSocket(server.port(), input));
        } finally {
            server.close();
        }
    }

    // --- driving the pipeline ---

    private static EmbeddedChannel channel(ControllableService service) {
        return new EmbeddedChannel(new JsonRpcChannelInitializer(new JsonRpcProtocol(service), MAX_REQUEST_BYTES,
                Duration.ZERO));
    }

    /** Feeds the input in its reads, stopping when the server has closed; anything thrown is a failure. */
    private static void feed(EmbeddedChannel channel, Input input) {
        int from = 0;
        int[] ends = Arrays.copyOf(input.cuts(), input.cuts().length + 1);
        ends[ends.length - 1] = input.bytes().length;
        for (int end : ends) {
            if (!channel.isOpen()) {
                return;
            }
            try {
                channel.writeInbound(Unpooled.wrappedBuffer(input.bytes(), from, end - from));
                channel.runPendingTasks();
                channel.checkException();
            } catch (Throwable e) {
                throw new AssertionError("an exception reached the end of the pipeline: " + e, e);
            }
            from = end;
        }
    }

    private static List<Response> responses(EmbeddedChannel channel) {
        channel.runPendingTasks();
        List<Response> out = new ArrayList<>();
        for (Object message = channel.readOutbound(); message != null; message = channel.readOutbound()) {
            ByteBuf buf = (ByteBuf) message;
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            buf.release();
            out.add(JsonRpcOracle.response(bytes));
        }
        return out;
    }

    private static void finish(EmbeddedChannel channel) {
        try {
            channel.checkException();
            channel.finishAndReleaseAll();
        } catch (Throwable e) {
            throw new AssertionError("an exception reached the end of the pipeline: " + e, e);
        }
    }

    /** The oracle's check of one input fed to a new channel (the service answers in order). */
    private void checkInChannel(Input input) {
        ControllableService service = new ControllableService(Arrays.hashCode(input.bytes()), false);
        EmbeddedChannel channel = channel(service);
        feed(channel, input);
        List<Response> responses = responses(channel);
        JsonRpcOracle.check(JsonRpcOracle.frames(input.bytes(), MAX_REQUEST_BYTES), responses, !channel.isOpen(), false);
        finish(channel);
    }

    /**
     * One connection per input. Input that is all well-formed is followed by a probe request, and the
     * responses are read up to the probe's; other input is followed by a half-close, and read to the end.
     */
    private static void checkOverSocket(int port, Input input) throws IOException {
        List<Frame> frames = JsonRpcOracle.frames(input.bytes(), MAX_REQUEST_BYTES);
        boolean wellFormed = frames.stream().allMatch(f -> f.kind() == Kind.REQUEST || f.kind() == Kind.NOTIFICATION);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout((int) FuzzRunner.CASE_DEADLINE.toMillis());
            int from = 0;
            int[] ends = Arrays.copyOf(input.cuts(), input.cuts().length + 1);
            ends[ends.length - 1] = input.bytes().length;
            try {
                for (int end : ends) {
                    socket.getOutputStream().write(input.bytes(), from, end - from);
                    socket.getOutputStream().flush();
                    from = end;
                }
                if (wellFormed) {
                    socket.getOutputStream().write(bytes(" {\"id\":\"probe\",\"method\":\"Responder.Status\"}"));
                } else {
                    socket.shutdownOutput();
                }
            } catch (IOException e) {
                // the server closed while we wrote (after a bad request): read what it answered
            }
            List<Response> responses = new ArrayList<>();
            boolean sawProbe = false;
            for (byte[] line : lines(new java.io.BufferedInputStream(socket.getInputStream()), wellFormed)) {
                Response response = JsonRpcOracle.response(line);
                if (wellFormed && response.id() != null && "probe".equals(response.id().asText())) {
                    sawProbe = true;
                    break;
                }
                responses.add(response);
            }
            boolean serverClosed = wellFormed && !sawProbe;
            JsonRpcOracle.check(frames, responses, serverClosed || !wellFormed, !wellFormed);
        }
    }

    /** Newline-terminated responses, up to the probe's (when {@code untilProbe}) or the end of the stream. */
    private static List<byte[]> lines(InputStream in, boolean untilProbe) throws IOException {
        List<byte[]> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            for (int b = in.read(); b >= 0; b = in.read()) {
                line.write(b);
                if (b == '\n') {
                    byte[] bytes = line.toByteArray();
                    lines.add(bytes);
                    line.reset();
                    if (untilProbe && new String(bytes, java.nio.charset.StandardCharsets.UTF_8).contains("\"probe\"")) {
                        return lines;
                    }
                }
                if (line.size() > JsonRpcOracle.MAX_RESPONSE_BYTES * 4) {
                    lines.add(line.toByteArray()); // fails the size check, without reading a huge answer whole
                    return lines;
                }
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("stalled: no " + (untilProbe ? "answer to the probe" : "end of stream")
                    + " within the read timeout; read " + lines.size() + " responses");
        } catch (IOException e) {
            // a reset after the server closed: what was read is what was answered
        }
        if (line.size() > 0) {
            lines.add(line.toByteArray());
        }
        return lines;
    }

    private static io.ratestream.gateway.rpc.RpcService synchronizedService(ControllableService service) {
        return (method, params, key) -> {
            synchronized (service) {
                return service.call(method, params, key);
            }
        };
    }

    private static String key(com.fasterxml.jackson.databind.JsonNode id) {
        if (id == null || id.isNull()) {
            return "null";
        }
        return id.isNumber() ? id.decimalValue().stripTrailingZeros().toPlainString() : id.toString();
    }
}
