package io.ratestream.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratestream.schemas.model.RatingProfile;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ProfileCacheTest {

    private final Map<String, RatingProfile> store = new HashMap<>();
    private final AtomicInteger reads = new AtomicInteger();

    private RatingProfile read(String key) {
        reads.incrementAndGet();
        return store.get(key);
    }

    private static RatingProfile profile(String subject, String prefix) {
        return new RatingProfile(0, "vdf", subject, prefix, List.of());
    }

    private void put(RatingProfile profile) {
        store.put(profile.key(), profile);
    }

    @Test
    void shouldHoldAtMostItsCapacityDroppingTheLeastRecentlyUsed() {
        ProfileCache cache = new ProfileCache(4);
        for (int i = 0; i < 10; i++) {
            put(profile("s" + i, "07"));
        }
        for (int i = 0; i < 4; i++) {
            cache.get("vdf:s" + i + ":07", this::read);
        }
        cache.get("vdf:s0:07", this::read); // s0 used last: s1 is the eldest
        cache.get("vdf:s4:07", this::read);

        assertThat(cache.size()).isEqualTo(4);
        assertThat(reads).hasValue(5);
        cache.get("vdf:s0:07", this::read);
        assertThat(reads).as("s0 is still held").hasValue(5);
        cache.get("vdf:s1:07", this::read);
        assertThat(reads).as("s1 was dropped").hasValue(6);

        for (int i = 0; i < 10; i++) {
            cache.get("vdf:s" + i + ":07", this::read);
        }
        assertThat(cache.size()).isEqualTo(4);
        assertThat(cache.loads()).isEqualTo(reads.get());
    }

    @Test
    void shouldSplitALargeCapacityIntoSegmentsWithoutExceedingIt() {
        ProfileCache cache = new ProfileCache(10_000);
        for (int i = 0; i < 30_000; i++) {
            put(profile("s" + i, "07"));
            cache.get("vdf:s" + i + ":07", this::read);
        }
        assertThat(cache.size()).isLessThanOrEqualTo(10_000).isEqualTo(cache.capacity());
    }

    @Test
    void shouldNotCacheAbsentProfiles() {
        ProfileCache cache = new ProfileCache(4);

        assertThat(cache.get("vdf:s:07", this::read)).isNull();
        put(profile("s", "07"));
        assertThat(cache.get("vdf:s:07", this::read)).isEqualTo(profile("s", "07"));
    }

    @Test
    void shouldReadAgainAfterAnInvalidation() {
        ProfileCache cache = new ProfileCache(4);
        put(profile("s", "07"));
        cache.get("vdf:s:07", this::read);

        RatingProfile newer = new RatingProfile(1, "vdf", "s", "07", List.of());
        put(newer);
        cache.invalidate("vdf:s:07");

        assertThat(cache.get("vdf:s:07", this::read)).isSameAs(newer);
    }

    @Test
    void shouldNotKeepWhatWasReadWhileTheKeyWasWritten() {
        ProfileCache cache = new ProfileCache(4);
        put(profile("s", "07"));
        RatingProfile newer = new RatingProfile(1, "vdf", "s", "07", List.of());

        // the global thread writes the key between this read of the store and the cache's put
        RatingProfile read = cache.get("vdf:s:07", key -> {
            RatingProfile old = read(key);
            put(newer);
            cache.invalidate(key);
            return old;
        });

        assertThat(read).isEqualTo(profile("s", "07"));
        assertThat(cache.size()).isZero();
        assertThat(cache.get("vdf:s:07", this::read)).isSameAs(newer);
    }

    @Test
    void shouldRefuseACapacityBelowOne() {
        assertThatThrownBy(() -> new ProfileCache(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
