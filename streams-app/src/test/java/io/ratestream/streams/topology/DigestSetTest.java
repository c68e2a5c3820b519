package io.ratestream.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The replay's set of admitted digests: every added digest is found, no other is. */
class DigestSetTest {

    private static byte[] digest(String text) {
        return Admission.digest(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldFindExactlyTheAddedDigestsAcrossGrowthAndLateAdds() {
        DigestSet set = new DigestSet();
        List<byte[]> added = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            byte[] d = digest("admitted-" + i);
            set.add(d);
            added.add(d);
        }
        set.add(added.get(7)); // a repeat
        assertThat(added).allMatch(set::contains);
        assertThat(set.contains(digest("never"))).isFalse();

        // added after a query: found by the next one
        byte[] late = digest("late");
        set.add(late);
        assertThat(set.contains(late)).isTrue();
        assertThat(added).allMatch(set::contains);
        assertThat(set.size()).isEqualTo(5_002);
        for (int i = 5_000; i < 10_000; i++) {
            assertThat(set.contains(digest("admitted-" + i))).isFalse();
        }
    }

    @Test
    void shouldTellDigestsThatDifferOnlyInTheirLastByte() {
        DigestSet set = new DigestSet();
        byte[] a = new byte[32];
        new Random(1).nextBytes(a);
        byte[] b = a.clone();
        b[31] ^= 1;
        byte[] c = a.clone();
        c[0] ^= (byte) 0x80; // the sign bit of the first word
        set.add(a);
        set.add(c);

        assertThat(set.contains(a)).isTrue();
        assertThat(set.contains(c)).isTrue();
        assertThat(set.contains(b)).isFalse();
        assertThat(new DigestSet().contains(a)).isFalse();
    }

    @Test
    void shouldRefuseADigestOfAnotherLength() {
        assertThatThrownBy(() -> new DigestSet().add(new byte[31])).hasMessageContaining("a digest has 32 bytes, not 31");
        assertThat(new DigestSet().contains(new byte[33])).isFalse();
    }
}
