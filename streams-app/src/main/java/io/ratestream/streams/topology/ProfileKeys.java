package io.ratestream.streams.topology;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Which rating-profile keys may exist: a blocked Bloom filter on the heap, so that the lookups of
 * SPEC 2.1 (one per prefix length, most of them misses) cost a hash and one word read instead of a
 * RocksDB read. It answers "maybe" for every key added and, by chance, for about 1 in 5,000 others at
 * 2 million profiles (1 in 4 at 20 million): a "maybe" only costs the store read it would have cost
 * anyway. Keys are never removed (a deleted profile's key stays a "maybe"), so it is filled again from
 * the store at each start, then by every profile written.
 *
 * <p>One writer (the global thread), many readers: the words are atomic, so a key added before a store
 * write is seen by every read after it.
 */
final class ProfileKeys {

    /**
     * Size of the filter: 2^26 bits, 8 MiB of heap whatever the number of profiles, about 33 bits per
     * key at 2 million profiles.
     */
    static final int BITS_LOG2 = 26;

    private static final int BITS_PER_WORD_LOG2 = 6;

    private final AtomicLongArray words;
    private final int wordShift;

    ProfileKeys() {
        this(BITS_LOG2);
    }

    /** A filter of {@code 2^bitsLog2} bits (tests use small ones). */
    ProfileKeys(int bitsLog2) {
        if (bitsLog2 < BITS_PER_WORD_LOG2 || bitsLog2 > 36) {
            throw new IllegalArgumentException("bitsLog2 must be between 6 and 36, not " + bitsLog2);
        }
        int wordsLog2 = bitsLog2 - BITS_PER_WORD_LOG2;
        this.words = new AtomicLongArray(1 << wordsLog2);
        this.wordShift = 64 - wordsLog2;
    }

    /** Adds a key ({@code tenant:subject:prefix}). */
    void add(String key) {
        long hash = finish(feed(SEED, key));
        int word = word(hash);
        long mask = mask(hash);
        long old = words.get(word);
        if ((old & mask) != mask) {
            words.set(word, old | mask); // one writer: no lost update
        }
    }

    /** Whether {@code tenant:subject:prefix} may have been added; false means it never was. */
    boolean mightContain(String tenant, String subject, String prefix) {
        long hash = feed(SEED, tenant);
        hash = feed(hash, ':');
        hash = feed(hash, subject);
        hash = feed(hash, ':');
        hash = finish(feed(hash, prefix));
        long mask = mask(hash);
        return (words.get(word(hash)) & mask) == mask;
    }

    private int word(long hash) {
        return wordShift == 64 ? 0 : (int) (hash >>> wordShift);
    }

    /** Four bits of one word, from the low 24 bits of the hash (the word index uses the high ones). */
    private static long mask(long hash) {
        return 1L << (hash & 63) | 1L << (hash >>> 6 & 63) | 1L << (hash >>> 12 & 63) | 1L << (hash >>> 18 & 63);
    }

    private static final long SEED = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;

    /** FNV-1a over UTF-16 units: the same characters give the same hash however they are split. */
    private static long feed(long hash, String text) {
        for (int i = 0, n = text.length(); i < n; i++) {
            hash = feed(hash, text.charAt(i));
        }
        return hash;
    }

    private static long feed(long hash, char c) {
        return (hash ^ c) * PRIME;
    }

    /** MurmurHash3's 64-bit finalizer: FNV's high bits alone mix poorly. */
    private static long finish(long hash) {
        hash ^= hash >>> 33;
        hash *= 0xff51afd7ed558ccdL;
        hash ^= hash >>> 33;
        hash *= 0xc4ceb9fe1a85ec53L;
        return hash ^ hash >>> 33;
    }
}
