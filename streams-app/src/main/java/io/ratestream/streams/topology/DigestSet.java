package io.ratestream.streams.topology;

import java.nio.ByteBuffer;
import java.nio.LongBuffer;

/**
 * A set of {@value Admission#DIGEST_BYTES}-byte digests in one {@code long[]}: 32 bytes per digest, no
 * object per entry (a million take 32 MB; up to twice that while the array grows). Added to first,
 * then queried: the first query sorts, and a later add makes the next query sort again. For the replay's
 * admitted digests. Not thread-safe.
 */
final class DigestSet {

    private static final int WORDS = Admission.DIGEST_BYTES / Long.BYTES;

    private long[] words = new long[WORDS * 64];
    private int size;
    private boolean sorted = true;

    /** Adds a digest of exactly {@value Admission#DIGEST_BYTES} bytes. */
    void add(byte[] digest) {
        if (digest.length != Admission.DIGEST_BYTES) {
            throw new IllegalArgumentException("a digest has " + Admission.DIGEST_BYTES + " bytes, not "
                    + digest.length);
        }
        if ((size + 1) * WORDS > words.length) {
            if (words.length >= Integer.MAX_VALUE / 2 - WORDS) {
                throw new IllegalStateException("more than " + size + " digests");
            }
            words = java.util.Arrays.copyOf(words, words.length * 2);
        }
        ByteBuffer.wrap(digest).asLongBuffer().get(words, size * WORDS, WORDS);
        size++;
        sorted = false;
    }

    /** Whether the digest was added. */
    boolean contains(byte[] digest) {
        if (digest.length != Admission.DIGEST_BYTES) {
            return false;
        }
        if (!sorted) {
            sort();
        }
        long[] key = new long[WORDS];
        LongBuffer.wrap(key).put(ByteBuffer.wrap(digest).asLongBuffer());
        int low = 0;
        int high = size - 1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            int order = compare(middle, key);
            if (order < 0) {
                low = middle + 1;
            } else if (order > 0) {
                high = middle - 1;
            } else {
                return true;
            }
        }
        return false;
    }

    /** How many digests were added (repeats included). */
    int size() {
        return size;
    }

    /** Heap sort of the entries in place: no extra memory, n log n. */
    private void sort() {
        for (int i = size / 2 - 1; i >= 0; i--) {
            siftDown(i, size);
        }
        for (int end = size - 1; end > 0; end--) {
            swap(0, end);
            siftDown(0, end);
        }
        sorted = true;
    }

    private void siftDown(int i, int n) {
        while (true) {
            int child = 2 * i + 1;
            if (child >= n) {
                return;
            }
            if (child + 1 < n && compare(child + 1, child) > 0) {
                child++;
            }
            if (compare(child, i) <= 0) {
                return;
            }
            swap(i, child);
            i = child;
        }
    }

    private int compare(int a, int b) {
        for (int k = 0; k < WORDS; k++) {
            int order = Long.compare(words[a * WORDS + k], words[b * WORDS + k]);
            if (order != 0) {
                return order;
            }
        }
        return 0;
    }

    private int compare(int a, long[] key) {
        for (int k = 0; k < WORDS; k++) {
            int order = Long.compare(words[a * WORDS + k], key[k]);
            if (order != 0) {
                return order;
            }
        }
        return 0;
    }

    private void swap(int a, int b) {
        for (int k = 0; k < WORDS; k++) {
            long word = words[a * WORDS + k];
            words[a * WORDS + k] = words[b * WORDS + k];
            words[b * WORDS + k] = word;
        }
    }
}
