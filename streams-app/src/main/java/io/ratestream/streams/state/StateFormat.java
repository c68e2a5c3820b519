package io.ratestream.streams.state;

/**
 * The compact binary format of the streams app's own state values (the {@code budgets} and
 * {@code processed-requests} stores and their changelogs; docs/design.md, "State formats"). Public
 * topics stay JSON with their schemas; these values are read by the streams app and {@code replay}
 * only.
 *
 * <p>A value's first byte is its format version. Versions are never {@code '{'} (0x7B), so a value
 * written as JSON by an earlier release (state directories, changelogs) is told apart by its first
 * byte and still read: a value starting with {@code '{'} is JSON, anything else is read by its
 * version, and an unknown version cannot be read (the record that needs it is dead-lettered, as for
 * any corrupt value). A change to what a version writes is a new version; readers keep reading the
 * old ones.
 *
 * <p>Within a version, fields follow in a fixed order with no names: integers as variable-length
 * (LEB128) numbers, signed ones zig-zag encoded; strings as UTF-8 bytes after their length + 1 (0 is
 * null); decimals exactly, as their unscaled value (a zig-zag number when it fits in a long, else its
 * two's-complement bytes) and their scale; instants as epoch seconds and nanoseconds; lists as their
 * size and elements; a nullable value after a presence byte.
 */
public final class StateFormat {

    /** The first binary version. */
    public static final int VERSION_1 = 1;
    /**
     * Version 2: version 1 and what came after it (a budget's open sessions). A codec writes version 1 for a
     * value that has nothing of version 2 (a budget without sessions), so a release that reads only version 1
     * still reads it.
     */
    public static final int VERSION_2 = 2;
    /** The first byte of a value written as JSON, by the releases before the binary format. */
    public static final int JSON_START = '{';
    /**
     * Largest scale, in absolute value, of a decimal in a state value (1,000): far beyond any figure
     * the engine computes (inputs have at most 30 decimals, BoundedDecimal), and small enough that no
     * decoded value, however corrupt, expands to an absurd number of digits when written out.
     */
    public static final int MAX_DECIMAL_SCALE = 1_000;
    /**
     * Most bytes of a decimal's unscaled value in a state value (128, about 300 digits): the same kind
     * of bound as {@link #MAX_DECIMAL_SCALE}, on the digits.
     */
    public static final int MAX_DECIMAL_BYTES = 128;

    private StateFormat() {
    }
}
