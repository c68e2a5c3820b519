package io.ratestream.schemas.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.schemas.model.CallCost;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.Interval;
import io.ratestream.schemas.model.TariffPlan;
import io.ratestream.schemas.model.Timespan;
import java.math.BigDecimal;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    private final ObjectMapper mapper = Json.newMapper();

    @ParameterizedTest
    @ValueSource(strings = {"TOR", "Tor", "tor", "tOR"})
    void shouldReadFieldNamesInAnyLetterCase(String torName) throws Exception {
        String json = "{\"" + torName + "\": 3, \"cstmid\": \"vdf\", \"SUBJECT\": \"rif\", "
                + "\"destinationprefix\": \"0256\", \"timeSTART\": \"2012-02-02T17:30:00Z\", \"Amount\": 1.5}";

        CallDescriptor cd = mapper.readValue(json, CallDescriptor.class);

        assertThat(cd.tor()).isEqualTo(3);
        assertThat(cd.cstmId()).isEqualTo("vdf");
        assertThat(cd.subject()).isEqualTo("rif");
        assertThat(cd.destinationPrefix()).isEqualTo("0256");
        assertThat(cd.timeStart()).isEqualTo(OffsetDateTime.of(2012, 2, 2, 17, 30, 0, 0, ZoneOffset.UTC));
        assertThat(cd.amount()).isEqualByComparingTo("1.5");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"Id\":\"p\",\"ReceivedCallsSecondsLimit\":100,\"RecivedCallBonus\":{\"Credit\":7}}",
        "{\"Id\":\"p\",\"ReceivedCallSecondsLimit\":100,\"ReceivedCallBonus\":{\"Credit\":7}}",
        "{\"id\":\"p\",\"receivedcallssecondslimit\":100,\"recivedcallbonus\":{\"credit\":7}}"
    })
    void shouldReadBothSpellingsOfThePlanFields(String json) throws Exception {
        TariffPlan plan = mapper.readValue(json, TariffPlan.class);

        assertThat(plan.receivedCallSecondsLimit()).isEqualByComparingTo("100");
        assertThat(plan.receivedCallBonus().credit()).isEqualByComparingTo("7");
    }

    @Test
    void shouldWriteTheCorrectedSpellings() throws Exception {
        TariffPlan plan = mapper.readValue("{\"Id\":\"p\",\"ReceivedCallsSecondsLimit\":100}", TariffPlan.class);

        String json = mapper.writeValueAsString(plan);

        assertThat(json).contains("\"ReceivedCallSecondsLimit\":100").contains("\"ReceivedCallBonus\"")
                .doesNotContain("Recived").doesNotContain("CallsSeconds");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2012-02-02T17:30:00Z", "2012-02-02T19:30:00+02:00", "2012-02-02T12:00:00-05:30",
        "2012-02-02T17:30:00.5Z", "2012-02-02T17:30:00.123456789+01:00"})
    void shouldKeepTheUtcOffsetOfTimesBothWays(String time) throws Exception {
        String json = "{\"TimeStart\":\"" + time + "\"}";

        CallDescriptor cd = mapper.readValue(json, CallDescriptor.class);

        assertThat(mapper.writeValueAsString(cd)).contains("\"TimeStart\":\"" + time + "\"");
    }

    @Test
    void shouldWriteSecondsEvenWhenTheyAreZero() throws Exception {
        OffsetDateTime time = OffsetDateTime.of(2012, 2, 2, 17, 30, 0, 0, ZoneOffset.ofHours(2));

        assertThat(mapper.writeValueAsString(time)).isEqualTo("\"2012-02-02T17:30:00+02:00\"");
    }

    @Test
    void shouldWriteDecimalsAsPlainNumbersWithoutTrailingZeros() throws Exception {
        CallCost cost = new CallCost(0, "vdf", "rif", "0256", new BigDecimal("540.000000"),
                new BigDecimal("0.50"), List.of());

        String json = mapper.writeValueAsString(cost);

        assertThat(json).contains("\"Cost\":540,").contains("\"ConnectFee\":0.5,");
        assertThat(mapper.writeValueAsString(new BigDecimal("6.035E+1"))).isEqualTo("60.35");
        assertThat(mapper.writeValueAsString(new BigDecimal("1E+3"))).isEqualTo("1000");
        assertThat(mapper.writeValueAsString(new BigDecimal("0.000000"))).isEqualTo("0");
    }

    @Test
    void shouldReadDecimalsExactly() throws Exception {
        // 0.1 has no exact binary representation: read as a double it would be 0.1000000000000000055...
        CallDescriptor cd = mapper.readValue("{\"Amount\": 0.1}", CallDescriptor.class);

        assertThat(cd.amount()).isEqualTo(new BigDecimal("0.1"));
        assertThat(mapper.readValue("{\"Amount\": 12345678901234567.000000001}", CallDescriptor.class).amount())
                .isEqualTo(new BigDecimal("12345678901234567.000000001"));
    }

    @Test
    void shouldRefuseAFloatInAnIntegerField() {
        assertThatThrownBy(() -> mapper.readValue("{\"TOR\": 1.5}", CallDescriptor.class))
                .isInstanceOf(JsonProcessingException.class);
    }

    @Test
    void shouldRefuseWrongTypesWithTheFieldNamed() {
        assertThatThrownBy(() -> mapper.readValue("{\"Amount\": \"abc\"}", CallDescriptor.class))
                .isInstanceOf(JsonProcessingException.class).hasMessageContaining("Amount");
        assertThatThrownBy(() -> mapper.readValue("{\"TimeStart\": \"yesterday\"}", CallDescriptor.class))
                .isInstanceOf(JsonProcessingException.class).hasMessageContaining("RFC 3339");
        assertThatThrownBy(() -> mapper.readValue("{\"TimeStart\": 12}", CallDescriptor.class))
                .isInstanceOf(JsonProcessingException.class).hasMessageContaining("TimeStart");
    }

    @Test
    void shouldReadEmptyIntervalTimesAsOpenAndWriteThemBackEmpty() throws Exception {
        Interval interval = mapper.readValue("{\"StartTime\":\"\",\"EndTime\":\"18:00:00\",\"Price\":0.2}",
                Interval.class);

        assertThat(interval.startTime()).isNull();
        assertThat(interval.endTime()).isEqualTo(LocalTime.of(18, 0));
        assertThat(mapper.writeValueAsString(interval)).contains("\"StartTime\":\"\"")
                .contains("\"EndTime\":\"18:00:00\"");
    }

    @Test
    void shouldLeaveOutNullsSoASpanShowsEitherItsIntervalOrItsBucket() throws Exception {
        Timespan span = new Timespan(OffsetDateTime.parse("2012-02-02T17:30:00Z"),
                OffsetDateTime.parse("2012-02-02T17:31:00Z"), BigDecimal.ONE, null, null,
                new io.ratestream.schemas.model.MinuteInfo("retea", BigDecimal.TEN, BigDecimal.ZERO));

        assertThat(mapper.writeValueAsString(span)).doesNotContain("Interval").doesNotContain("ActivationTime")
                .contains("MinuteInfo");
    }

    @Test
    void shouldWriteOnlyTheContractsFields() throws Exception {
        String bucket = mapper.writeValueAsString(new io.ratestream.schemas.model.MinuteBucket(BigDecimal.TEN, 1,
                BigDecimal.ZERO, "retea"));
        String span = mapper.writeValueAsString(new Timespan(OffsetDateTime.parse("2012-02-02T17:30:00Z"),
                OffsetDateTime.parse("2012-02-02T17:31:00Z"), BigDecimal.ONE, null, null,
                new io.ratestream.schemas.model.MinuteInfo("retea", BigDecimal.TEN, BigDecimal.ZERO)));

        assertThat(bucket).isEqualTo("{\"Seconds\":10,\"Priority\":1,\"Price\":0,\"DestinationId\":\"retea\"}");
        assertThat(span).isEqualTo("{\"TimeStart\":\"2012-02-02T17:30:00Z\",\"TimeEnd\":\"2012-02-02T17:31:00Z\","
                + "\"Cost\":1,\"MinuteInfo\":{\"DestinationId\":\"retea\",\"Quantity\":10,\"Price\":0}}");
    }

    @Test
    void shouldWriteTreesWithPlainDecimalsToo() throws Exception {
        // a tree's own toString() writes 5.4E+2; written through the mapper it stays plain
        CallCost cost = new CallCost(0, "vdf", "rif", "0256", new BigDecimal("540.000000"), new BigDecimal("0.50"),
                List.of());
        var tree = mapper.valueToTree(cost);

        assertThat(mapper.writeValueAsString(tree)).contains("\"Cost\":540,").contains("\"ConnectFee\":0.5,");
    }

    @Test
    void shouldRefuseTrailingGarbage() {
        assertThatThrownBy(() -> mapper.readValue("{\"TOR\": 1} x", CallDescriptor.class))
                .isInstanceOf(JsonProcessingException.class);
    }
}
