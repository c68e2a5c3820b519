package io.ratestream.streams.rating;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Calendar arithmetic on nanoseconds since the epoch, without allocation: the engine splits calls on
 * these numbers and only builds {@link OffsetDateTime}s for its output.
 */
final class CivilTime {

    static final long NANOS_PER_SECOND = 1_000_000_000L;
    static final long NANOS_PER_DAY = 86_400L * NANOS_PER_SECOND;

    private CivilTime() {
    }

    /** Nanoseconds since 1970-01-01T00:00Z of a time (the validated range of years fits a long). */
    static long epochNanos(OffsetDateTime time) {
        return Math.addExact(Math.multiplyExact(time.toEpochSecond(), NANOS_PER_SECOND), time.getNano());
    }

    /** The time at these epoch nanoseconds, shown in the given offset. */
    static OffsetDateTime time(long epochNanos, ZoneOffset offset) {
        long seconds = Math.floorDiv(epochNanos, NANOS_PER_SECOND);
        int nanos = (int) Math.floorMod(epochNanos, NANOS_PER_SECOND);
        // LocalDateTime.ofEpochSecond with the fixed offset: no ZoneRules lookup (ofInstant makes one per call).
        return OffsetDateTime.of(LocalDateTime.ofEpochSecond(seconds, nanos, offset), offset);
    }

    /** Day of the week of an epoch day: 0 = Sunday ... 6 = Saturday (1970-01-01 was a Thursday). */
    static int dayOfWeek(long epochDay) {
        return (int) Math.floorMod(epochDay + 4, 7L);
    }

    /**
     * Month (1-12) and day of the month (1-31) of an epoch day, packed as {@code month * 32 + day}
     * (H. Hinnant's civil-from-days algorithm).
     */
    static int monthAndDay(long epochDay) {
        long z = epochDay + 719_468;
        long era = Math.floorDiv(z, 146_097L);
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long shiftedMonth = (5 * dayOfYear + 2) / 153;
        int day = (int) (dayOfYear - (153 * shiftedMonth + 2) / 5 + 1);
        int month = (int) (shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9);
        return month * 32 + day;
    }
}
