package io.ratestream.streams.topology;

import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.Keys;
import io.ratestream.schemas.model.Names;
import io.ratestream.schemas.model.OpenSession;
import io.ratestream.schemas.model.UserBudget;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The deadlines of the open prepaid sessions of a task (store {@link RatestreamTopology#SESSION_DEADLINES_STORE}),
 * ordered by time, so that the expiry check reads only the sessions that are due (docs/design.md, "Session
 * expiry").
 *
 * <p><b>An entry per open session</b>, kept in step with the budgets by the command processor, in the same
 * processing step as the budget it follows ({@link #follow}): a command whose decision opens, regrants or ends
 * a session adds or removes entries. The entries depend only on the budgets, which depend only on the command
 * log, so they are deterministic and a restore or a replay has the same ones.
 *
 * <ul>
 *   <li>key: the deadline (the last grant's accepted-at plus its granted seconds, rounded up to the
 *       millisecond) as 8 bytes, epoch milliseconds big-endian with the sign bit flipped (unsigned byte order
 *       is then time order), then {@code tenant:subject}, U+001F, the session id, in UTF-8. The grace is not in
 *       the key: the check applies it when it reads, so a changed {@code --session-grace} applies to sessions
 *       already open;
 *   <li>value: the number of the grant ({@link OpenSession#grants}), 4 bytes big-endian: the expiry names it,
 *       so that a session granted again after the expiry was written is left open.
 * </ul>
 *
 * <p>The check ({@link #due}) reads the entries whose deadline plus the grace has passed, oldest first, at most
 * {@link #MAX_EXPIRIES_PER_CHECK}; the processor removes each as it writes its {@link #command expiry}, in the
 * same punctuation (and, under exactly-once, the same transaction), so a session's expiry is written once. Not
 * thread-safe; one per processor.
 */
final class SessionDeadlines {

    /**
     * How often the expiry check runs (wall-clock time): an abandoned session is expired at most about this
     * long after its grant plus the grace ended, plus the time its expiry takes through the command log
     * (a commit interval or two).
     */
    static final Duration CHECK_INTERVAL = Duration.ofSeconds(5);
    /**
     * Most expiries one check writes per task: a backlog (the app was down while many sessions ended
     * unreported) is worked off at this many per {@link #CHECK_INTERVAL} and task (200 a second), so that a
     * check never holds the stream thread for long; the sessions beyond wait for the next checks, oldest first.
     */
    static final int MAX_EXPIRIES_PER_CHECK = 1_000;

    private static final char SEPARATOR = '\u001f';
    private static final String PREFIX = "expiry:";

    private final KeyValueStore<Bytes, byte[]> store;
    /** Where the next check's scan starts: after the removals of the last, not over their tombstones. */
    private final ScanStart scanFrom = new ScanStart();

    /** @param store the deadlines store as the processor sees it (a {@link StagedStore} while it processes) */
    SessionDeadlines(KeyValueStore<Bytes, byte[]> store) {
        this.store = store;
    }

    /** A due session: what its expiry needs. */
    record Due(Bytes key, String tenant, String subject, String sessionId, int grant, Instant deadline) {
    }

    /**
     * Makes the entries of one budget's sessions follow a change of the budget from {@code before} to
     * {@code after} (either null when absent): a session that ended loses its entry, a new one or one granted
     * again gets the entry of its last grant. Nothing is written when the sessions did not change.
     */
    void follow(String budgetKey, UserBudget before, UserBudget after) {
        List<OpenSession> old = before == null ? List.of() : before.sessions();
        List<OpenSession> now = after == null ? List.of() : after.sessions();
        if (old.isEmpty() && now.isEmpty() || old.equals(now)) {
            return;
        }
        Map<String, OpenSession> ended = new HashMap<>();
        old.forEach(session -> ended.put(session.sessionId(), session));
        List<OpenSession> granted = new ArrayList<>();
        for (OpenSession session : now) {
            OpenSession was = ended.remove(session.sessionId());
            if (was == null || !sameGrant(was, session)) {
                if (was != null) {
                    store.delete(key(budgetKey, was));
                }
                granted.add(session);
            }
        }
        ended.values().forEach(session -> store.delete(key(budgetKey, session)));
        // After the deletes: a regrant whose deadline is the old one's keeps its entry, with the new grant.
        granted.forEach(session -> {
            Bytes key = key(budgetKey, session);
            store.put(key, grantBytes(session.grants()));
            scanFrom.written(key);
        });
    }

    /** Forgets where the checks had come to: the next one scans from the start. */
    void rescan() {
        scanFrom.reset();
    }

    private static boolean sameGrant(OpenSession a, OpenSession b) {
        return a.grants() == b.grants() && a.grantedAt().equals(b.grantedAt())
                && a.granted().compareTo(b.granted()) == 0;
    }

    /**
     * The sessions whose deadline is at or before {@code cutoff} (the check's time less the grace), oldest
     * first, at most {@code max}. An entry that cannot be read (not written by this class) is removed and
     * counts towards {@code max}, so that a check always ends.
     */
    List<Due> due(Instant cutoff, int max) {
        List<Due> due = new ArrayList<>();
        List<Bytes> unreadable = new ArrayList<>();
        long limit = millis(cutoff);
        byte[] to = timePrefix(limit == Long.MAX_VALUE ? limit : limit + 1);
        if (scanFrom.atOrAfter(to)) {
            return due; // nothing is below the last check's end (the cutoff came back)
        }
        // Every entry the scan passes is returned (the caller removes it) or removed here: the next check
        // starts after the last one, or at this check's cutoff when it saw everything below it.
        Bytes next = Bytes.wrap(to);
        try (KeyValueIterator<Bytes, byte[]> oldest = store.range(scanFrom.key(), Bytes.wrap(to))) {
            while (oldest.hasNext()) {
                KeyValue<Bytes, byte[]> entry = oldest.next();
                if (Bytes.BYTES_LEXICO_COMPARATOR.compare(entry.key.get(), to) >= 0) {
                    break;
                }
                if (due.size() + unreadable.size() == max) {
                    next = entry.key;
                    break;
                }
                Due one = read(entry.key, entry.value);
                if (one == null) {
                    unreadable.add(entry.key);
                } else {
                    due.add(one);
                }
            }
        }
        unreadable.forEach(store::delete);
        scanFrom.moveTo(next);
        return due;
    }

    /** Removes the entry of a session whose expiry has been written. */
    void remove(Due due) {
        store.delete(due.key());
    }

    /**
     * The expiry of a due session: an ordinary, admin-only command ({@code SessionExpiry}, {@code Amount} the
     * grant it expires, {@code TimeEnd} when that grant ran out), accepted at {@code acceptedAt}. Its request id is the same for the same session, grant
     * and deadline ({@code expiry:<grant>:<deadline millis>:<tenant:subject>:<session id>}, or with the SHA-256
     * of {@code tenant:subject} U+001F session id in hex when that is longer than {@link Names#MAX_REQUEST_ID}):
     * a repeat is a retry, and a session id used again later for another session gets another id.
     */
    static Command command(Due due, Instant acceptedAt) {
        String key = Keys.budget(due.tenant(), due.subject());
        String head = PREFIX + due.grant() + ":" + due.deadline().toEpochMilli() + ":";
        String id = head + key + ":" + due.sessionId();
        if (id.length() > Names.MAX_REQUEST_ID) {
            id = head + Keys.digest(key + SEPARATOR + due.sessionId());
        }
        // TimeEnd: when the expired grant ran out, which the engine also compares (a session id reused since).
        CallDescriptor descriptor = new CallDescriptor(0, due.tenant(), due.subject(), null, null,
                due.deadline().atOffset(ZoneOffset.UTC), BigDecimal.valueOf(due.grant()), null, due.sessionId(), null);
        return new Command(id, Method.SESSION_EXPIRY, descriptor, acceptedAt, null, null);
    }

    /** The key of a session's entry: when its last grant runs out ({@link OpenSession#grantRunsOut}), then its name. */
    static Bytes key(String budgetKey, OpenSession session) {
        byte[] name = (budgetKey + SEPARATOR + session.sessionId()).getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(Long.BYTES + name.length)
                .put(timePrefix(millis(session.grantRunsOut()))).put(name).array());
    }

    private static Due read(Bytes key, byte[] value) {
        byte[] bytes = key.get();
        if (bytes.length <= Long.BYTES || value == null || value.length != Integer.BYTES) {
            return null;
        }
        String name;
        try {
            name = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, Long.BYTES, bytes.length - Long.BYTES)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        int colon = name.indexOf(':');
        int separator = name.indexOf(SEPARATOR);
        int grant = ByteBuffer.wrap(value).getInt();
        if (colon <= 0 || separator <= colon + 1 || separator == name.length() - 1 || grant < 1) {
            return null;
        }
        Instant deadline = Instant.ofEpochMilli(ByteBuffer.wrap(bytes, 0, Long.BYTES).getLong() ^ Long.MIN_VALUE);
        return new Due(key, name.substring(0, colon), name.substring(colon + 1, separator),
                name.substring(separator + 1), grant, deadline);
    }

    private static byte[] grantBytes(int grant) {
        return ByteBuffer.allocate(Integer.BYTES).putInt(grant).array();
    }

    private static long millis(Instant time) {
        try {
            return time.toEpochMilli();
        } catch (ArithmeticException e) {
            return time.getEpochSecond() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /** Milliseconds with the sign bit flipped: unsigned byte order is then time order, before 1970 too. */
    private static byte[] timePrefix(long millis) {
        return ByteBuffer.allocate(Long.BYTES).putLong(millis ^ Long.MIN_VALUE).array();
    }

}
