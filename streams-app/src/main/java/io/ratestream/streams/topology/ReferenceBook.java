package io.ratestream.streams.topology;

import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.json.JsonSerde;
import io.ratestream.schemas.model.Destination;
import io.ratestream.schemas.model.Keys;
import io.ratestream.schemas.model.RatingProfile;
import io.ratestream.schemas.model.TariffPlan;
import io.ratestream.streams.rating.ReferenceData;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * What one streams-app instance keeps on its heap of the reference data, beside the persistent global
 * stores that hold all of it (RocksDB, fed by the compacted topics, checkpointed by Kafka Streams, so a
 * restart with the state dir kept reads only what is new on the topics):
 *
 * <ul>
 *   <li>rating profiles: not copied. {@link #over} reads them from their store, through a filter of the
 *       keys that exist ({@link ProfileKeys}, 8 MiB, so the misses of the prefix search cost no store
 *       read) and a cache of the {@link #PROFILE_CACHE_ENTRIES} profiles parsed last;
 *   <li>destinations and tariff plans (a few hundred of each): parsed, in maps, filled from their
 *       stores at start-up and then by their processors;
 *   <li>how many of each there are, for a loader waiting for its data ({@link #holdsAtLeast}).
 * </ul>
 *
 * <p>One book per topology, filled by its {@link ReferenceProcessor}s on the global thread (the one
 * writer); read by the stream threads. Thread-safe.
 */
public final class ReferenceBook {

    /**
     * Rating profiles kept parsed, at most: 20,000, the least recently used dropped first. A profile of
     * the demo data takes about 1-2 KiB parsed, so at most 20-40 MiB of heap; a profile not cached costs
     * its call one store read and one JSON parse (10-30 microseconds here, docs/performance.md).
     */
    public static final int PROFILE_CACHE_ENTRIES = 20_000;

    private final ProfileKeys keys;
    private final ProfileCache cache;
    private final Deserializer<RatingProfile> profileParser = new JsonSerde<>(Json.newMapper(), RatingProfile.class);
    private final AtomicLong profileCount = new AtomicLong();
    private final AtomicBoolean profileKeysLoaded = new AtomicBoolean();
    private final Map<String, Destination> destinations = new ConcurrentHashMap<>();
    private final Map<String, TariffPlan> plans = new ConcurrentHashMap<>();
    private final Map<String, Boolean> storesRead = new ConcurrentHashMap<>();
    private final AtomicLong storeEntriesRead = new AtomicLong();
    private final AtomicLong topicRecordsRead = new AtomicLong();

    /** A book caching at most {@link #PROFILE_CACHE_ENTRIES} profiles. */
    public ReferenceBook() {
        this(PROFILE_CACHE_ENTRIES, ProfileKeys.BITS_LOG2);
    }

    /** A book caching at most {@code cachedProfiles} profiles, with a key filter of 2^filterBitsLog2 bits. */
    ReferenceBook(int cachedProfiles, int filterBitsLog2) {
        this.cache = new ProfileCache(cachedProfiles);
        this.keys = new ProfileKeys(filterBitsLog2);
    }

    /**
     * The reference data to rate with, reading rating profiles from {@code profiles} (the
     * {@link RatestreamTopology#RATING_PROFILES_STORE} global store as a processor's context gives it).
     */
    public ReferenceData over(ReadOnlyKeyValueStore<String, byte[]> profiles) {
        return new ReferenceData() {
            @Override
            public RatingProfile ratingProfile(String tenant, String subject, String prefix) {
                if (profileKeysLoaded.get() && !keys.mightContain(tenant, subject, prefix)) {
                    return null;
                }
                return cache.get(Keys.ratingProfile(tenant, subject, prefix), key -> parse(key, profiles.get(key)));
            }

            @Override
            public Destination destination(String id) {
                return ReferenceBook.this.destination(id);
            }

            @Override
            public TariffPlan tariffPlan(String id) {
                return ReferenceBook.this.tariffPlan(id);
            }
        };
    }

    private RatingProfile parse(String key, byte[] stored) {
        if (stored == null) {
            return null;
        }
        try {
            return profileParser.deserialize(RatestreamTopology.RATING_PROFILES_STORE, stored);
        } catch (RuntimeException e) {
            // Only values that parsed are stored: this is a store of another version, or damaged.
            throw new IllegalStateException("the rating profile '" + DeadLetters.cut(key) + "' in the "
                    + RatestreamTopology.RATING_PROFILES_STORE + " store cannot be read (" + e.getMessage()
                    + "): delete the state dir to read the reference topics again", e);
        }
    }

    /** The destination with this id, or null. */
    public Destination destination(String id) {
        return destinations.get(id);
    }

    /** The tariff plan with this id, or null. */
    public TariffPlan tariffPlan(String id) {
        return plans.get(id);
    }

    /** Whether the book holds at least these many entries of each kind (a loader waiting for its data). */
    public boolean holdsAtLeast(int ratingProfiles, int destinationCount, int tariffPlans) {
        return profileCount.get() >= ratingProfiles && destinations.size() >= destinationCount
                && plans.size() >= tariffPlans;
    }

    /** How many entries of each kind are held: for status pages and tests. */
    public String summary() {
        return profileCount.get() + " rating profiles, " + destinations.size() + " destinations, " + plans.size()
                + " tariff plans";
    }

    /** Rating profiles parsed and cached now; at most {@link #PROFILE_CACHE_ENTRIES}. */
    public int cachedProfiles() {
        return cache.size();
    }

    /** Rating profiles read from the store and parsed since start (cache misses). */
    public long profileLoads() {
        return cache.loads();
    }

    /**
     * Entries read from the local stores at start-up to fill this book (profile keys, destinations,
     * plans): what the state dir already held, read without the topics.
     */
    public long storeEntriesRead() {
        return storeEntriesRead.get();
    }

    /**
     * Records of the reference topics processed since start, skipped ones included: at a restart with the
     * state dir kept, only those the topics gained since the last run.
     */
    public long topicRecordsRead() {
        return topicRecordsRead.get();
    }

    void countTopicRecord() {
        topicRecordsRead.incrementAndGet();
    }

    /** Whether {@code store} is yet to be read into this book; true once per store, for its first processor. */
    boolean claimStoreRead(String store) {
        return storesRead.putIfAbsent(store, Boolean.TRUE) == null;
    }

    Shelf<RatingProfile> profiles() {
        return new Shelf<>() {
            @Override
            public void restored(String key, byte[] stored, Deserializer<RatingProfile> parser) {
                keys.add(key);
                profileCount.incrementAndGet();
                storeEntriesRead.incrementAndGet();
            }

            @Override
            public void restoreDone() {
                profileKeysLoaded.set(true);
            }

            @Override
            public void beforePut(String key, RatingProfile value) {
                keys.add(key); // before the store has it: a reader that sees it there passes the filter
            }

            @Override
            public void put(String key, RatingProfile value, boolean existed) {
                cache.invalidate(key);
                if (!existed) {
                    profileCount.incrementAndGet();
                }
            }

            @Override
            public void deleted(String key, boolean existed) {
                cache.invalidate(key);
                if (existed) {
                    profileCount.decrementAndGet();
                }
            }
        };
    }

    Shelf<Destination> destinations() {
        return mapShelf(destinations);
    }

    Shelf<TariffPlan> plans() {
        return mapShelf(plans);
    }

    private <T> Shelf<T> mapShelf(Map<String, T> map) {
        return new Shelf<>() {
            @Override
            public void restored(String key, byte[] stored, Deserializer<T> parser) {
                map.put(key, parser.deserialize("reference", stored));
                storeEntriesRead.incrementAndGet();
            }

            @Override
            public void put(String key, T value, boolean existed) {
                map.put(key, value);
            }

            @Override
            public void deleted(String key, boolean existed) {
                map.remove(key);
            }
        };
    }

    /** What the book keeps of one kind of reference data, told of each change of its store. */
    interface Shelf<T> {

        /** At start-up, for each entry the store already holds (it was valid when it was written). */
        void restored(String key, byte[] stored, Deserializer<T> parser);

        /** After the last {@link #restored}. */
        default void restoreDone() {
        }

        /** Before {@code value} is written to the store. */
        default void beforePut(String key, T value) {
        }

        /** After {@code value} was written to the store; {@code existed}: it replaced a value. */
        void put(String key, T value, boolean existed);

        /** After {@code key} was deleted from the store; {@code existed}: it had a value. */
        void deleted(String key, boolean existed);
    }
}
