package io.ratestream.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratestream.gateway.rpc.RpcException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class QueryParamsTest {

    @Test
    void shouldReadTheOriginalPagesAtFormAsAnAmpersand() {
        assertThat(QueryParams.parse("cstmid=vdf&subj=rif&dest=0257@amount=100"))
                .containsEntry("cstmid", "vdf").containsEntry("subj", "rif").containsEntry("dest", "0257")
                .containsEntry("amount", "100").hasSize(4);
    }

    @Test
    void shouldReadAStrayAtWithoutFailing() {
        assertThat(QueryParams.parse("@")).containsEntry("@", "");
        assertThat(QueryParams.parse("@@&cstmid=vdf")).containsEntry("cstmid", "vdf");
        assertThat(QueryParams.parse("cstmid=vdf@")).containsEntry("cstmid", "vdf@");
    }

    @Test
    void shouldKeepAnAtThatIsPartOfAValue() {
        assertThat(QueryParams.parse("cstmid=vdf&subj=alice@example.com&dest=0257"))
                .containsEntry("subj", "alice@example.com");
        assertThat(QueryParams.parse("subj=alice%40example.com")).containsEntry("subj", "alice@example.com");
    }

    @Test
    void shouldReadNamesInAnyCaseAndDecodeValues() {
        assertThat(QueryParams.parse("CstmId=vdf&ts=2012-02-02T19%3A30%3A00%2B02%3A00"))
                .containsEntry("cstmid", "vdf").containsEntry("ts", "2012-02-02T19:30:00+02:00");
    }

    @Test
    void shouldRefuseARepeatedName() {
        assertThatThrownBy(() -> QueryParams.parse("amount=1&dest=0257@amount=2"))
                .isInstanceOf(RpcException.class).hasMessageContaining("'amount' is given more than once");
    }

    @Test
    void shouldRefuseMalformedEscapes() {
        assertThatThrownBy(() -> QueryParams.parse("subj=%zz")).isInstanceOf(RpcException.class)
                .hasMessageContaining("malformed query string");
    }

    @Test
    void shouldReadDurationsAsSecondsOrGoDurations() {
        assertThat(Durations.parse("90")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("90.5")).isEqualTo(Duration.ofMillis(90_500));
        assertThat(Durations.parse("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("1h2m3s")).isEqualTo(Duration.ofSeconds(3723));
        assertThat(Durations.parse("1500ms")).isEqualTo(Duration.ofMillis(1500));
        for (String bad : new String[] {"", "abc", "-5", "1x", "m", "1.5.5s", "1e999"}) {
            assertThatThrownBy(() -> Durations.parse(bad)).as(bad).isInstanceOf(RpcException.class)
                    .hasMessageContaining("is not seconds");
        }
    }
}
