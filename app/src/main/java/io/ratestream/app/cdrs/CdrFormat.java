package io.ratestream.app.cdrs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.schemas.event.RatedCall;
import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Locale;

/**
 * The output formats of {@code ratestream cdrs} (docs/cdrs.md).
 *
 * <ul>
 *   <li>{@link #CSV}: RFC 4180: a header line, then one line per call, CRLF line ends; a field that holds a
 *       comma, a double quote, CR or LF is quoted, its quotes doubled. Each cell is the text the JSON record
 *       has for the field (decimals plain without trailing zeros, times RFC 3339 with their offset), except
 *       {@code Timespans}, which CSV summarises as {@code Spans}, the number of priced spans.
 *   <li>{@link #JSONL}: the {@link RatedCall} JSON, as ratestream writes it ({@code Json.newMapper()}), one per
 *       line, LF line ends.
 * </ul>
 */
public enum CdrFormat {
    CSV,
    JSONL;

    /** The CSV columns, in order: the RatedCall fields, with Spans for Timespans. */
    public static final List<String> CSV_COLUMNS = List.of("CstmId", "Subject", "Destination", "DestinationPrefix",
            "SessionId", "TOR", "TimeStart", "EndedAt", "Used", "Granted", "UsedBeyondGrant", "Cost", "ConnectFee",
            "Spans", "CreditAfter", "EndedBy");

    private static final String CRLF = "\r\n";

    /** The format of its name on the command line: {@code csv} or {@code jsonl}, in any letter case. */
    public static CdrFormat of(String name) {
        for (CdrFormat format : values()) {
            if (format.name().equalsIgnoreCase(name)) {
                return format;
            }
        }
        throw new IllegalArgumentException("unknown format '" + name + "': give csv or jsonl");
    }

    /** The name on the command line. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A sink writing this format to {@code out}; CSV writes its header line first, at once. */
    public CdrExport.CallSink open(Writer out, ObjectMapper mapper) throws IOException {
        if (this == JSONL) {
            return call -> {
                out.write(mapper.writeValueAsString(call));
                out.write('\n');
            };
        }
        out.write(String.join(",", CSV_COLUMNS));
        out.write(CRLF);
        return call -> {
            out.write(csvLine(call, mapper));
            out.write(CRLF);
        };
    }

    /** One call as a CSV line, without its line end. */
    static String csvLine(RatedCall call, ObjectMapper mapper) throws JsonProcessingException {
        List<String> cells = List.of(call.cstmId(), call.subject(), call.destination(), call.destinationPrefix(),
                call.sessionId(), Integer.toString(call.tor()), json(mapper, call.timeStart()),
                json(mapper, call.endedAt()), json(mapper, call.used()), json(mapper, call.granted()),
                json(mapper, call.usedBeyondGrant()), json(mapper, call.cost()), json(mapper, call.connectFee()),
                Integer.toString(call.timespans().size()), json(mapper, call.creditAfter()),
                call.endedBy().wireName());
        StringBuilder line = new StringBuilder(256);
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                line.append(',');
            }
            quote(line, cells.get(i));
        }
        return line.toString();
    }

    /** The text JSON has for a scalar: a number's digits, a string's characters without quotes. */
    private static String json(ObjectMapper mapper, Object value) throws JsonProcessingException {
        String text = mapper.writeValueAsString(value);
        return text.startsWith("\"") ? mapper.readValue(text, String.class) : text;
    }

    /** RFC 4180: quoted when it holds a comma, a double quote, CR or LF; quotes doubled. */
    static void quote(StringBuilder line, String cell) {
        boolean quoted = false;
        for (int i = 0; i < cell.length() && !quoted; i++) {
            char c = cell.charAt(i);
            quoted = c == ',' || c == '"' || c == '\r' || c == '\n';
        }
        if (!quoted) {
            line.append(cell);
            return;
        }
        line.append('"');
        for (int i = 0; i < cell.length(); i++) {
            char c = cell.charAt(i);
            line.append(c);
            if (c == '"') {
                line.append('"');
            }
        }
        line.append('"');
    }
}
