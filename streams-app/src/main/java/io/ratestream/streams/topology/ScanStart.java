package io.ratestream.streams.topology;

import org.apache.kafka.common.utils.Bytes;

/**
 * Where the next oldest-first scan of a time-ordered store starts ({@code Bytes} keys, unsigned byte order):
 * no live entry is below it, only the RocksDB tombstones of the entries earlier scans removed, which a scan
 * from the start would step over every time until RocksDB compacts them away. Writes below it move it back;
 * {@link #reset()} (the scan's removals were discarded) makes the next scan start at the beginning. In
 * memory, per processor: after a start the first scan starts at the beginning. Which entries a scan reaches
 * never depends on it, only how much it steps over to reach them.
 */
final class ScanStart {

    private Bytes at;

    /** The key to scan from, inclusive; null for the beginning. */
    Bytes key() {
        return at;
    }

    /** Whether nothing is below {@code to}: a scan up to it would find nothing. */
    boolean atOrAfter(byte[] to) {
        return at != null && Bytes.BYTES_LEXICO_COMPARATOR.compare(at.get(), to) >= 0;
    }

    /** A scan removed (or will have removed) every entry below {@code key}: the next one starts there. */
    void moveTo(Bytes key) {
        at = key;
    }

    /** An entry was written at {@code key}: a scan must reach it. */
    void written(Bytes key) {
        if (at != null && Bytes.BYTES_LEXICO_COMPARATOR.compare(key.get(), at.get()) < 0) {
            at = key;
        }
    }

    /** The next scan starts at the beginning. */
    void reset() {
        at = null;
    }
}
