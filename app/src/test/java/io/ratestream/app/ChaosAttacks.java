package io.ratestream.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.topics.DeadLetter;
import io.ratestream.schemas.topics.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The attacks of the chaos test, each a real client of the real gateway or broker. Each one runs on its
 * own threads until closed and keeps what it saw for the test to check and report.
 */
final class ChaosAttacks {

    private ChaosAttacks() {
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Adds {@code text} to {@code list} while it holds fewer than 20 entries. */
    private static void note(List<String> list, String text) {
        synchronized (list) {
            if (list.size() < 20) {
                list.add(text);
            }
        }
    }

    /**
     * Unparsable 600 KB records ({@code '{'} repeated) written by a real producer to ratestream.commands
     * under a subscriber's key, so that they land on that subscriber's partition, between its commands.
     */
    static final class Poison implements AutoCloseable {
        static final int BYTES = 600_000;

        private final KafkaProducer<byte[], byte[]> producer;
        final List<RecordMetadata> written = Collections.synchronizedList(new ArrayList<>());
        final List<String> keys = Collections.synchronizedList(new ArrayList<>());

        Poison(String bootstrap) {
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
            producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        }

        void send(String key) throws Exception {
            byte[] value = new byte[BYTES];
            Arrays.fill(value, (byte) '{');
            RecordMetadata metadata = producer.send(new ProducerRecord<>(Topics.COMMANDS,
                    key.getBytes(StandardCharsets.UTF_8), value)).get(30, TimeUnit.SECONDS);
            keys.add(key);
            written.add(metadata);
        }

        @Override
        public void close() {
            producer.close(Duration.ofSeconds(10));
        }

        /**
         * The dead letter of each record written, keyed "partition@offset", waiting up to {@code timeout}
         * for all of them; those not found are absent from the map.
         */
        Map<String, DeadLetter> deadLetters(String bootstrap, Duration timeout) {
            Map<String, DeadLetter> found = new HashMap<>();
            List<String> wanted;
            synchronized (written) {
                wanted = written.stream().map(m -> m.partition() + "@" + m.offset()).toList();
            }
            if (wanted.isEmpty()) {
                return found;
            }
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            Topics topics = new Topics(Json.newMapper());
            try (KafkaConsumer<String, DeadLetter> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                    topics.deadLetters().valueSerde().deserializer())) {
                List<TopicPartition> all = consumer.partitionsFor(Topics.DEAD_LETTERS, Duration.ofSeconds(30)).stream()
                        .map(p -> new TopicPartition(Topics.DEAD_LETTERS, p.partition())).toList();
                consumer.assign(all);
                consumer.seekToBeginning(all);
                long deadline = System.nanoTime() + timeout.toNanos();
                while (found.size() < wanted.size() && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, DeadLetter> record : consumer.poll(Duration.ofMillis(200))) {
                        DeadLetter letter = record.value();
                        String where = letter.partition() + "@" + letter.offset();
                        if (Topics.COMMANDS.equals(letter.topic()) && wanted.contains(where)) {
                            found.putIfAbsent(where, letter);
                        }
                    }
                }
            }
            return found;
        }
    }

    /**
     * A client that writes {@value #CALLS} calls on one connection as fast as the connection takes them
     * and reads nothing until {@link #drain}: odd ids debit {@value #AMOUNT} from its own subscriber, each
     * with its own request id; even ids ask the cost of a week-long call (an answer of a few KB), so that
     * the unread answers outgrow what the kernel's socket buffers hold (about 3 MB on loopback here) and
     * back up in the gateway.
     */
    static final class Pipeline implements AutoCloseable {
        static final int CALLS = 5_000;
        static final String AMOUNT = "0.01";
        static final String GET_COST = "Responder.GetCost";
        static final String COST_PARAMS = "[{\"Tor\":0,\"CstmId\":\"vdf\",\"Subject\":\"rif\",\"DestinationPrefix\":"
                + "\"0256\",\"TimeStart\":\"2012-02-02T17:30:00Z\",\"TimeEnd\":\"2012-02-09T17:30:00Z\"}]";

        private final RpcConnection connection;
        private final String tenant;
        private final String subject;
        private final String run;
        private final AtomicInteger written = new AtomicInteger();
        private volatile Exception writeFailure;
        private Thread writer;

        Pipeline(int port, String tenant, String subject, String run) throws IOException {
            this.connection = new RpcConnection(port, 4096, 30_000);
            this.tenant = tenant;
            this.subject = subject;
            this.run = run;
        }

        static boolean isDebit(long id) {
            return id % 2 == 1;
        }

        static int debits() {
            return (CALLS + 1) / 2;
        }

        static String requestId(String run, long id) {
            return "pipe-" + run + "-" + id;
        }

        /** The params of pipelined call {@code id}. */
        String params(long id) {
            return isDebit(id) ? RpcConnection.debitParams(tenant, subject, AMOUNT, requestId(run, id)) : COST_PARAMS;
        }

        static String method(long id) {
            return isDebit(id) ? "Responder.DebitBalance" : GET_COST;
        }

        void start() {
            writer = daemon("chaos-pipeline", () -> {
                try {
                    for (long id = 1; id <= CALLS; id++) {
                        connection.send(RpcConnection.request(id, method(id), params(id)));
                        written.incrementAndGet();
                    }
                } catch (IOException e) {
                    writeFailure = e;
                }
            });
        }

        int written() {
            return written.get();
        }

        Exception writeFailure() {
            return writeFailure;
        }

        /** Reads answers until every call has one or {@code timeout} passes: the answers by JSON-RPC id. */
        Map<Long, JsonNode> drain(Duration timeout) throws InterruptedException {
            Map<Long, JsonNode> answers = new HashMap<>();
            if (writer == null) {
                return answers; // never started
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            try {
                while (answers.size() < CALLS && System.nanoTime() < deadline) {
                    JsonNode answer = connection.read();
                    answers.merge(answer.path("id").asLong(), answer, (a, b) -> {
                        throw new IllegalStateException("two answers for id " + a.path("id") + ": " + a + " and " + b);
                    });
                }
            } catch (IOException e) {
                writeFailure = writeFailure != null ? writeFailure : e;
            }
            writer.join(TimeUnit.SECONDS.toMillis(10));
            return answers;
        }

        @Override
        public void close() {
            connection.close();
        }
    }

    /**
     * Connections that are opened and then say nothing, spread over several local addresses (127.0.0.x,
     * all loopback) so that the per-address limit does not refuse them and all of them stay open.
     */
    static final class IdleConnections implements AutoCloseable {
        private final List<SocketChannel> channels = Collections.synchronizedList(new ArrayList<>());
        final List<String> failures = Collections.synchronizedList(new ArrayList<>());
        final LongAdder failed = new LongAdder();
        /** When the last connection was tried ({@link System#nanoTime()}); 0 until then. */
        volatile long doneAt;
        private Thread opener;

        void start(int port, int count, List<String> localAddresses) {
            opener = daemon("chaos-idle", () -> {
                for (int i = 0; i < count; i++) {
                    String local = localAddresses.get(i % localAddresses.size());
                    try {
                        SocketChannel channel = SocketChannel.open();
                        channels.add(channel);
                        channel.bind(new InetSocketAddress(local, 0));
                        channel.socket().connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                        channel.configureBlocking(false);
                    } catch (IOException e) {
                        failed.increment();
                        note(failures, local + ": " + e);
                    }
                }
                doneAt = System.nanoTime();
            });
        }

        /** Waits until every connection was tried; returns how many are connected. */
        int awaitOpened(Duration timeout) throws InterruptedException {
            opener.join(timeout.toMillis());
            synchronized (channels) {
                return (int) channels.stream().filter(SocketChannel::isConnected).count();
            }
        }

        /** How many connections the gateway wrote to or closed (a refusal, a timeout): each should be 0. */
        Map<String, Integer> touched() {
            int closed = 0;
            int answered = 0;
            ByteBuffer buffer = ByteBuffer.allocate(256);
            synchronized (channels) {
                for (SocketChannel channel : channels) {
                    if (!channel.isConnected()) {
                        continue;
                    }
                    try {
                        buffer.clear();
                        int read = channel.read(buffer);
                        if (read < 0) {
                            closed++;
                        } else if (read > 0) {
                            answered++;
                        }
                    } catch (IOException e) {
                        closed++;
                    }
                }
            }
            return Map.of("closed", closed, "written to", answered);
        }

        @Override
        public void close() {
            synchronized (channels) {
                for (SocketChannel channel : channels) {
                    try {
                        channel.close();
                    } catch (IOException e) {
                        // already gone
                    }
                }
            }
        }
    }

    /**
     * Connections that send a request one byte per second, each starting again on a new connection when
     * the gateway cuts it, until closed.
     */
    static final class Slowloris implements AutoCloseable {
        private final List<Thread> threads = new ArrayList<>();
        private volatile boolean stopping;
        /** Cuts by connection number. */
        final Map<Integer, LongAdder> cuts = new ConcurrentHashMap<>();
        /** What the gateway said when it cut a connection, by text: must be its deadline sentence. */
        final Map<String, LongAdder> messages = new ConcurrentHashMap<>();
        final LongAdder bytesSent = new LongAdder();
        final LongAdder silentCloses = new LongAdder();
        final List<String> failures = Collections.synchronizedList(new ArrayList<>());

        void start(int port, int connections, String request) {
            byte[] bytes = request.getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < connections; i++) {
                int index = i;
                cuts.put(index, new LongAdder());
                threads.add(daemon("chaos-slowloris-" + i, () -> {
                    while (!stopping) {
                        trickle(port, index, bytes);
                    }
                }));
            }
        }

        /** One connection: a byte, up to a second of listening, the next byte, ... until cut or stopped. */
        private void trickle(int port, int index, byte[] request) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(1_000);
                OutputStream out = socket.getOutputStream();
                InputStream in = socket.getInputStream();
                for (int i = 0; !stopping; i = (i + 1) % request.length) {
                    out.write(request[i]);
                    out.flush();
                    bytesSent.increment();
                    int first;
                    try {
                        first = in.read();
                    } catch (SocketTimeoutException quiet) {
                        continue; // a second without an answer: the next byte
                    }
                    cuts.get(index).increment();
                    if (first < 0) {
                        silentCloses.increment();
                    } else {
                        messages.computeIfAbsent(restOfLine(first, in), k -> new LongAdder()).increment();
                    }
                    return;
                }
            } catch (IOException e) {
                if (!stopping) {
                    note(failures, e.toString());
                }
            }
        }

        private static String restOfLine(int first, InputStream in) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = first; b >= 0 && b != '\n' && line.size() < 1000; b = in.read()) {
                line.write(b);
            }
            return line.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws InterruptedException {
            stopping = true;
            for (Thread thread : threads) {
                thread.join(5_000);
            }
        }
    }

    /**
     * Amounts with huge exponents, over HTTP GET and JSON-RPC 1.0 and 2.0 on TCP, in turn, as fast as each
     * thread gets its answers. Every answer must be a short bad-request refusal.
     */
    static final class Exponents implements AutoCloseable {
        static final List<String> AMOUNTS = List.of("1e1000000000", "-1e1000000000", "1e-1000000000");
        /** Longest answer accepted: the 2012 API's short error, a JSON-RPC envelope around it. */
        static final int MAX_ANSWER = 300;

        private final List<Thread> threads = new ArrayList<>();
        private volatile boolean stopping;
        final LongAdder http = new LongAdder();
        final LongAdder rpc1 = new LongAdder();
        final LongAdder rpc2 = new LongAdder();
        final LongAdder refused = new LongAdder();
        final LongAdder wrong = new LongAdder();
        final LongAdder reconnects = new LongAdder();
        final List<String> wrongAnswers = Collections.synchronizedList(new ArrayList<>());
        /** One answer of each kind, to show in the report. */
        final Map<String, String> samples = new ConcurrentHashMap<>();
        private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

        void start(int tcpPort, int httpPort, String tenant, List<String> subjects, int threadCount) {
            for (int t = 0; t < threadCount; t++) {
                int index = t;
                threads.add(daemon("chaos-exponent-" + t, () -> {
                    RpcConnection connection = null;
                    for (long i = index; !stopping; i++) {
                        String amount = AMOUNTS.get((int) (i % AMOUNTS.size()));
                        String subject = subjects.get((int) (i % subjects.size()));
                        try {
                            switch ((int) ((i / AMOUNTS.size()) % 3)) {
                                case 0 -> overHttp(httpPort, tenant, subject, amount);
                                case 1 -> connection = overTcp(connection, tcpPort, tenant, subject, amount, false);
                                default -> connection = overTcp(connection, tcpPort, tenant, subject, amount, true);
                            }
                        } catch (IOException e) {
                            reconnects.increment();
                            note(wrongAnswers, "connection failed: " + e);
                            if (connection != null) {
                                connection.close();
                                connection = null;
                            }
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    if (connection != null) {
                        connection.close();
                    }
                }));
            }
        }

        private void overHttp(int port, String tenant, String subject, String amount)
                throws IOException, InterruptedException {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/debitbalance?cstmid=" + tenant + "&subj=" + subject + "&amount=" + amount))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            http.increment();
            String kind = response.headers().firstValue("Ratestream-Error-Kind").orElse("");
            samples.putIfAbsent("HTTP " + amount, response.statusCode() + " " + response.body());
            judge(response.statusCode() == 400 && kind.equals("bad_request") && response.body().startsWith("{\"Error\":")
                    && response.body().length() < MAX_ANSWER, "HTTP " + amount + ": " + response.statusCode() + " "
                    + kind + " " + cut(response.body()));
        }

        private RpcConnection overTcp(RpcConnection connection, int port, String tenant, String subject,
                String amount, boolean version2) throws IOException {
            RpcConnection open = connection != null ? connection : new RpcConnection(port, 30_000);
            String params = "[{\"CstmId\":\"" + tenant + "\",\"Subject\":\"" + subject + "\",\"Amount\":" + amount + "}]";
            String request = version2
                    ? "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"Responder.DebitBalance\",\"params\":" + params + "}"
                    : "{\"id\":7,\"method\":\"Responder.DebitBalance\",\"params\":" + params + "}";
            JsonNode answer = open.call(request);
            String text = answer.toString();
            (version2 ? rpc2 : rpc1).increment();
            samples.putIfAbsent((version2 ? "JSON-RPC 2.0 " : "JSON-RPC 1.0 ") + amount, text);
            boolean ok;
            if (version2) {
                ok = answer.path("error").path("code").asInt() == -32602
                        && "bad_request".equals(answer.path("error").path("data").path("kind").asText())
                        && !answer.has("result");
            } else {
                String error = answer.path("error").asText();
                ok = answer.path("result").isNull() && answer.path("error").isTextual()
                        && error.contains("Amount: '") && (error.contains("out of range")
                                || error.contains("too many decimals"));
            }
            judge(ok && answer.path("id").asInt() == 7 && text.length() < MAX_ANSWER,
                    (version2 ? "JSON-RPC 2.0 " : "JSON-RPC 1.0 ") + amount + ": " + cut(text));
            return open;
        }

        private void judge(boolean refusedAsBadRequest, String what) {
            if (refusedAsBadRequest) {
                refused.increment();
            } else {
                wrong.increment();
                note(wrongAnswers, what);
            }
        }

        private static String cut(String text) {
            return text.length() <= 300 ? text : text.substring(0, 300) + "... (" + text.length() + " chars)";
        }

        long sent() {
            return http.sum() + rpc1.sum() + rpc2.sum();
        }

        @Override
        public void close() throws InterruptedException {
            stopping = true;
            for (Thread thread : threads) {
                thread.join(35_000);
            }
        }
    }
}
