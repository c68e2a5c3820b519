package io.ratestream.benchmarks;

import io.ratestream.schemas.files.CgratesFiles;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.json.JsonSerde;
import io.ratestream.schemas.model.Destination;
import io.ratestream.schemas.model.TariffPlan;
import io.ratestream.schemas.model.RatingProfile;
import io.ratestream.schemas.topics.Topics;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.streams.rating.InMemoryReferenceData;
import io.ratestream.streams.rating.ReferenceData;
import io.ratestream.streams.topology.RatestreamTopology;
import io.ratestream.streams.topology.ReferenceBook;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The profile lookups of one call (SPEC 2.1, as {@code Rater.findProfile} makes them): the number
 * {@code 0256308200} from 10 digits down to {@code 0256}, six misses then a hit, for a subject drawn in
 * turn from {@code subjects} of bench's {@code subscribers} (each with the demo's vdf:rif profiles), over:
 *
 * <ul>
 *   <li>{@link #heapMaps}: maps of parsed profiles, as the app held them before (the ReferenceBook of
 *       ConcurrentHashMaps; {@link InMemoryReferenceData} is the same lookups);
 *   <li>{@link #storeOnly}: the app's RocksDB global store, read and parsed at each lookup, with no
 *       filter and no cache;
 *   <li>{@link #storeThroughBook}: the same store through the {@link ReferenceBook} (key filter,
 *       cache of {@link ReferenceBook#PROFILE_CACHE_ENTRIES} parsed profiles): what the app does now.
 * </ul>
 *
 * The store is the topology's own in a TopologyTestDriver, filled in bulk and flushed to disk files, then
 * read by a second driver (whose book reads every key at its start), so reads go through Kafka Streams'
 * store layers and RocksDB's JNI calls.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar ReferenceBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s -t 1 -bm avgt -tu ns
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ReferenceBenchmark {

    private static final String NUMBER = "0256308200";
    private static final int MIN_PREFIX = 2;

    /** Subscribers loaded, two profiles each. */
    @Param("100000")
    public int subscribers;

    /** How many of them the calls go to, in turn: 1,000 fit the cache; all of them do not. */
    @Param({"1000", "100000"})
    public int subjects;

    private Path stateDir;
    private TopologyTestDriver driver;
    private ReferenceData heap;
    private ReferenceData store;
    private ReferenceData book;
    private String[] names;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        DataSet demo = new CgratesFiles(Json.newMapper()).readDirectory(Path.of("demo", "cgrates-2012"));
        List<RatingProfile> rif = demo.ratingProfiles().stream()
                .filter(p -> p.cstmId().equals("vdf") && p.subject().equals("rif")).toList();
        // A TopologyTestDriver flushes a global store after each record it pipes (one file per record, far
        // slower reads than the app's): fill one driver's store in bulk, copy its files, and let the
        // book read the copy at the start of a second driver, as the app does at a restart.
        Path filled = Files.createTempDirectory("reference-benchmark-filled");
        stateDir = Files.createTempDirectory("reference-benchmark");
        var mapper = Json.newMapper();
        List<RatingProfile> all = new ArrayList<>();
        names = new String[subscribers];
        TopologyTestDriver bulk = driver(filled, new ReferenceBook());
        KeyValueStore<String, byte[]> bulkStore = bulk.getKeyValueStore(RatestreamTopology.RATING_PROFILES_STORE);
        for (int i = 0; i < subscribers; i++) {
            names[i] = String.format("bench-%06d", i);
            for (RatingProfile p : rif) {
                RatingProfile copy = new RatingProfile(p.tor(), "bench", names[i], p.destinationPrefix(),
                        p.activationPeriods());
                bulkStore.put(copy.key(), mapper.writeValueAsBytes(copy));
                all.add(copy);
            }
        }
        bulkStore.flush();
        bulkStore.close(); // no compaction may move files while they are copied
        copy(filled, stateDir);
        try {
            bulk.close();
        } catch (RuntimeException e) {
            // it closes the store again: already done
        }
        ReferenceBook reference = new ReferenceBook();
        driver = driver(stateDir, reference);
        if (!reference.holdsAtLeast(all.size(), 0, 0)) {
            throw new IllegalStateException("the book did not read the store: " + reference.summary());
        }
        KeyValueStore<String, byte[]> profiles = driver.getKeyValueStore(RatestreamTopology.RATING_PROFILES_STORE);
        heap = new InMemoryReferenceData(all, demo.destinations(), demo.tariffPlans());
        book = reference.over(profiles);
        var parser = new JsonSerde<>(mapper, RatingProfile.class);
        store = new ReferenceData() {
            @Override
            public RatingProfile ratingProfile(String tenant, String subject, String prefix) {
                byte[] bytes = profiles.get(tenant + ":" + subject + ":" + prefix);
                return bytes == null ? null : parser.deserialize(Topics.RATING_PROFILES, bytes);
            }

            @Override
            public Destination destination(String id) {
                return null;
            }

            @Override
            public TariffPlan tariffPlan(String id) {
                return null;
            }
        };
        for (String name : names) {
            if (find(heap, name) == null || find(store, name) == null || find(book, name) == null) {
                throw new IllegalStateException("no profile found for " + name);
            }
        }
    }

    private static TopologyTestDriver driver(Path stateDir, ReferenceBook book) {
        StreamsAppConfig config = StreamsAppConfig.defaults("dummy:9092", stateDir);
        Properties properties = config.toProperties();
        // at least once: under exactly-once a global store without committed offsets is wiped at start
        properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        return new TopologyTestDriver(RatestreamTopology.build(config, book), properties);
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else if (!path.getFileName().toString().endsWith(".lock")) {
                    Files.copy(path, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        driver.close();
    }

    private String subject() {
        String subject = names[next];
        next = next + 1 == subjects ? 0 : next + 1;
        return subject;
    }

    private static RatingProfile find(ReferenceData reference, String subject) {
        for (int length = NUMBER.length(); length >= MIN_PREFIX; length--) {
            RatingProfile profile = reference.ratingProfile("bench", subject, NUMBER.substring(0, length));
            if (profile != null) {
                return profile;
            }
        }
        return null;
    }

    @Benchmark
    public RatingProfile heapMaps() {
        return find(heap, subject());
    }

    @Benchmark
    public RatingProfile storeOnly() {
        return find(store, subject());
    }

    @Benchmark
    public RatingProfile storeThroughBook() {
        return find(book, subject());
    }
}
