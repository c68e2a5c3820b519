package io.ratestream.streams.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.schemas.files.CgratesFiles;
import io.ratestream.schemas.json.Json;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LocalRaterTest {

    private final LocalRater rater = new LocalRater(
            new CgratesFiles(Json.newMapper()).readDirectory(Path.of("..", "demo", "cgrates-2012")), "vdf",
            Clock.fixed(Instant.parse("2012-02-02T17:00:00Z"), ZoneOffset.UTC));

    @Test
    void shouldAnswerTheSeedRequestWithTheWorkedExample() {
        String response = rater.handle("{\"id\": 1, \"method\": \"Responder.Get\", \"params\": [{\"Tor\":0, "
                + "\"CstmId\": \"vdf\", \"Subject\": \"rif\", \"DestinationPrefix\": \"0256\", "
                + "\"TimeStart\": \"2012-02-02T17:30:00Z\", \"TimeEnd\": \"2012-02-02T18:30:00Z\"}]}");

        assertThat(response).startsWith("{\"id\":1,\"result\":{\"TOR\":0,\"CstmId\":\"vdf\",\"Subject\":\"rif\","
                + "\"DestinationPrefix\":\"0256\",\"Cost\":540,\"ConnectFee\":0,").endsWith(",\"error\":null}");
    }

    @Test
    void shouldApplyDebitsInOrderWithinARun() {
        String debit = "{\"id\":7,\"method\":\"Responder.DebitBalance\",\"params\":[{\"CstmId\":\"vdf\","
                + "\"Subject\":\"minutosu\",\"Amount\":1.5}]}";

        assertThat(rater.handle(debit)).isEqualTo("{\"id\":7,\"result\":19.5,\"error\":null}");
        assertThat(rater.handle(debit)).isEqualTo("{\"id\":7,\"result\":18,\"error\":null}");
    }

    @Test
    void shouldAnswerBadInputWithAnErrorAndKeepGoing() {
        assertThat(rater.handle("garbage")).startsWith("{\"id\":null,\"result\":null,\"error\":\"malformed request");
        assertThat(rater.handle("{\"id\":2,\"method\":\"Responder.Nope\",\"params\":[{}]}"))
                .startsWith("{\"id\":2,\"result\":null,\"error\":\"unknown method 'Responder.Nope'");
        assertThat(rater.handle("{\"id\":3,\"method\":\"Responder.DebitSMS\",\"params\":[{\"CstmId\":\"vdf\","
                + "\"Subject\":\"minutosu\",\"Amount\":1}]}"))
                .isEqualTo("{\"id\":3,\"result\":null,\"error\":\"amount exceeds budget: 0 SMS left, 1 asked\"}");
    }
}
