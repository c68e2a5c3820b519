package io.ratestream.app.cdrs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratestream.schemas.event.RatedCall;
import io.ratestream.schemas.json.Json;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The CSV cells: RFC 4180 quoting, and each cell the text its JSON field has. */
class CdrFormatTest {

    @Test
    void shouldQuoteOnlyCellsWithACommaAQuoteOrALineBreakAndDoubleTheirQuotes() {
        assertThat(quoted("plain")).isEqualTo("plain");
        assertThat(quoted("")).isEqualTo("");
        assertThat(quoted("a,b")).isEqualTo("\"a,b\"");
        assertThat(quoted("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(quoted("two\nlines")).isEqualTo("\"two\nlines\"");
        assertThat(quoted("cr\rhere")).isEqualTo("\"cr\rhere\"");
        assertThat(quoted("it's; fine")).isEqualTo("it's; fine");
    }

    @Test
    void shouldWriteDecimalsPlainWithoutTrailingZerosAndTimesAsTheJsonDoes() throws Exception {
        RatedCall call = new RatedCall("s", "vdf", "rif", "0256", "0256", 1,
                OffsetDateTime.parse("2012-02-02T17:30:00.100-05:00"), Instant.parse("2012-02-02T23:00:00Z"),
                new BigDecimal("60.000"), new BigDecimal("1E+2"), new BigDecimal("0E-8"), new BigDecimal("1.23E-7"),
                new BigDecimal("0.50"), List.of(), new BigDecimal("-0.50"), RatedCall.EndedBy.CLIENT);
        StringWriter out = new StringWriter();

        CdrFormat.CSV.open(out, Json.newMapper()).accept(call);

        assertThat(out.toString()).isEqualTo(String.join(",", CdrFormat.CSV_COLUMNS) + "\r\n"
                + "vdf,rif,0256,0256,s,1,2012-02-02T17:30:00.1-05:00,2012-02-02T23:00:00Z,60,100,0,0.000000123,0.5,0,"
                + "-0.5,client\r\n");
    }

    @Test
    void shouldKnowItsFormatsInAnyLetterCaseAndRefuseOthers() {
        assertThat(CdrFormat.of("CSV")).isEqualTo(CdrFormat.CSV);
        assertThat(CdrFormat.of("jsonl")).isEqualTo(CdrFormat.JSONL);
        assertThatThrownBy(() -> CdrFormat.of("json")).hasMessage("unknown format 'json': give csv or jsonl");
    }

    private static String quoted(String cell) {
        StringBuilder line = new StringBuilder();
        CdrFormat.quote(line, cell);
        return line.toString();
    }
}
