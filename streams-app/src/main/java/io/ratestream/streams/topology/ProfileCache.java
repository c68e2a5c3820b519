package io.ratestream.streams.topology;

import io.ratestream.schemas.model.RatingProfile;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The rating profiles parsed last, by key, at most a fixed number of them: the least recently used
 * goes first (of its segment, in a cache of 1,024 or more, cut in 16 segments so that stream threads
 * rarely wait for each other). Readers are the stream threads; the global thread {@linkplain #invalidate invalidates} a
 * key after each write of it to the store, so a read never returns a profile older than the store's.
 *
 * <p>Why a read cannot put back a stale profile: a reader notes the write count before it reads the
 * store, and puts what it parsed only if the count is still the same, under the lock of the key's
 * segment; the writer counts after its store write and removes the key under that same lock. So a
 * reader that read the old bytes either puts them before the writer removes them, or sees the new
 * count and puts nothing.
 */
final class ProfileCache {

    /** Segments of a large cache, each with its own lock and its own least recently used order. */
    private static final int SEGMENTS = 16;
    /** Below 16 times this capacity, one segment: exactly least recently used. */
    private static final int MIN_SEGMENT_CAPACITY = 64;

    private final Segment[] segments;
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong loads = new AtomicLong();
    private final int capacity;

    /** @param capacity at most this many profiles are held; at least 1 */
    ProfileCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("the profile cache must hold at least one profile, not " + capacity);
        }
        int count = capacity >= SEGMENTS * MIN_SEGMENT_CAPACITY ? SEGMENTS : 1;
        this.segments = new Segment[count];
        for (int i = 0; i < count; i++) {
            segments[i] = new Segment(capacity / count);
        }
        this.capacity = capacity / count * count;
    }

    /**
     * The profile under {@code key}: the cached one, or {@code load}'s (null when the store has none;
     * not cached then).
     */
    RatingProfile get(String key, Function<String, RatingProfile> load) {
        Segment segment = segment(key);
        synchronized (segment) {
            RatingProfile cached = segment.get(key);
            if (cached != null) {
                return cached;
            }
        }
        long seen = writes.get();
        RatingProfile loaded = load.apply(key);
        loads.incrementAndGet();
        if (loaded != null) {
            synchronized (segment) {
                if (writes.get() == seen) {
                    segment.put(key, loaded);
                }
            }
        }
        return loaded;
    }

    /** Forgets {@code key}: called after each write or delete of it in the store. */
    void invalidate(String key) {
        writes.incrementAndGet();
        Segment segment = segment(key);
        synchronized (segment) {
            segment.remove(key);
        }
    }

    /** How many profiles are held now. */
    int size() {
        int size = 0;
        for (Segment segment : segments) {
            synchronized (segment) {
                size += segment.size();
            }
        }
        return size;
    }

    /** The most profiles held at once. */
    int capacity() {
        return capacity;
    }

    /** How many times a profile was read from the store (a miss of this cache). */
    long loads() {
        return loads.get();
    }

    private Segment segment(String key) {
        int hash = key.hashCode();
        return segments[Math.floorMod(hash ^ hash >>> 16, segments.length)];
    }

    /** Least recently used first; not thread-safe (callers hold its monitor). */
    private static final class Segment extends LinkedHashMap<String, RatingProfile> {
        private final int capacity;

        Segment(int capacity) {
            super(16, 0.75f, true);
            this.capacity = capacity;
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, RatingProfile> eldest) {
            return size() > capacity;
        }
    }
}
