package io.ratestream.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProfileKeysTest {

    @Test
    void shouldAnswerMaybeForEveryKeyAddedHoweverItIsSplit() {
        ProfileKeys keys = new ProfileKeys(16);
        for (int i = 0; i < 20_000; i++) {
            keys.add("vdf:sip:user" + i + "@example.org:07" + i);
        }
        for (int i = 0; i < 20_000; i++) {
            assertThat(keys.mightContain("vdf", "sip:user" + i + "@example.org", "07" + i)).isTrue();
        }
    }

    @Test
    void shouldAnswerNoForNearlyEveryOtherKeyAtTheBitsPerKeyOfTwoMillionProfiles() {
        // 2^22 bits for 125,000 keys: the 33.5 bits per key of the full filter (2^26) at 2 million
        ProfileKeys keys = new ProfileKeys(22);
        for (int i = 0; i < 125_000; i++) {
            keys.add("bench:bench-" + i + ":0256");
        }
        int maybe = 0;
        int tries = 1_000_000;
        for (int i = 0; i < tries; i++) {
            // the lookups a call makes: the same subject, other prefixes
            if (keys.mightContain("bench", "bench-" + i % 125_000, "0256308" + i)) {
                maybe++;
            }
        }
        assertThat(maybe).as("false positives in %d", tries).isLessThan(tries / 1000);
    }

    @Test
    void shouldRefuseASizeItCannotHold() {
        assertThatThrownBy(() -> new ProfileKeys(5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ProfileKeys(37)).isInstanceOf(IllegalArgumentException.class);
    }
}
