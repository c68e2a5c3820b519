package io.ratestream.app.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Inputs for the HTTP fuzz: query strings for every GET endpoint, as the original API page writes them
 * ({@code &} and {@code @}) and as a careless or hostile client does, and JSON-RPC bodies. Query values
 * are written as they go on the wire (already percent-encoded, or deliberately badly encoded).
 */
final class HttpInputs {

    private HttpInputs() {
    }

    /** The GET endpoints of the API: each answers JSON. */
    static final String[] API = {"/getcost", "/debitbalance", "/debitcents", "/debitsms", "/debitseconds",
        "/getmaxsessiontime", "/getexactmaxsessiontime", "/addvolumediscountseconds", "/resetvolumediscountseconds",
        "/addrecievedcallseconds", "/addreceivedcallseconds", "/resetuserbudget"};
    /** The other GET endpoints: status and health answer JSON, metrics text, the status page HTML. */
    static final String[] OTHERS = {"/status", "/health/live", "/health/ready", "/api/activity", "/metrics", "/"};

    static final String[] NAMES = {"cstmid", "subj", "dest", "amount", "ts", "te", "duration", "tor", "requestid"};

    static final String[] TENANTS = {"vdf", "VDF", "", "v%3Adf", "v:df", "x".repeat(300), "%00", "%1F", "%7F", "%C8%9B",
        "%C3%28", "%FF", "%E2%80%AE", "+", "%20"};
    static final String[] SUBJECTS = {"minutosu", "broker", "rif", "nobody", "", "x".repeat(257), "%00", "%0A", "%C3%28",
        "%FF%FE", "minutosu%00", "+minutosu", "min%75tosu", "%F0%9F%98%80"};
    static final String[] DESTINATIONS = {"0256", "0257", "0723", "0256308200", "0999", "", "0", "%2B40256", "02:56",
        "9".repeat(300), "%00", "0256%0A", "%D9%A0%D9%A2"};
    static final String[] AMOUNTS = {"1", "0", "-1", "1.5", "0.000000001", "0.0000000001", "1e3", "1E%2B2", "1e12",
        "1000000000000", "1000000000001", "1e13", "-1e12", "1e1000000000", "-1e1000000000", "1e-1000000000",
        "-1e-1000000000", "1e2147483647", "1e-2147483648", "1e-2147483649", "1e9999", "1e10000", "NaN", "Infinity",
        "-Infinity", "0x10", "9".repeat(5000), "9".repeat(100), "0." + "0".repeat(3000) + "1", "%201", "1%20", "%2B1",
        "1,5", "", "abc", "%D9%A1", "1e", "--1", "1..2", "%00", "1%00"};
    static final String[] TIMES = {"2012-02-02T17:30:00Z", "2012-02-02T18:30:00Z", "2012-02-02T19:30:00%2B02:00",
        "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "%2B999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z",
        "+999999999-12-31T23:59:59Z", "%2B10000-01-01T00:00:00Z", "1899-12-31T23:59:59Z", "2201-01-01T00:00:00Z",
        "2012-02-30T00:00:00Z", "2012-02-02T17:30:00%2B25:00", "2012-02-02T17:30:00-18:00", "yesterday", "",
        "2012-02-02", "1328203800", "0", "2012-02-02T17:30:00.123456789123Z", "%00", "x".repeat(2000)};
    static final String[] DURATIONS = {"90", "90s", "1m30s", "1h", "1500ms", "1.5h", ".5s", "0", "-1s", "-90", "99999999999h",
        "9223372036854775807", "9223372036854775808ns", "2562047h47m16.854775807s", "2562048h", "1e1000000000",
        "1e-1000000000", "9".repeat(3000), "1h1h1h", "s", "", "%C2%B5s", "1d", "1h-1m", "NaN", "Infinity", "744h",
        "744h0m0.000000001s", "%00", "1%20s"};
    static final String[] TORS = {"0", "1", "-1", "2147483647", "2147483648", "x", "", "1.5", "1e3", "9".repeat(2000)};

    static String[] pool(String name) {
        return switch (name) {
            case "cstmid" -> TENANTS;
            case "subj" -> SUBJECTS;
            case "dest" -> DESTINATIONS;
            case "amount" -> AMOUNTS;
            case "ts", "te" -> TIMES;
            case "duration" -> DURATIONS;
            case "tor" -> TORS;
            default -> new String[] {"req-1", "x".repeat(129), "x".repeat(2000), "%00", "a%0Ab", "%1B%5B31m", "", "%20",
                "%C3%28", "%F0%9F%98%80"};
        };
    }

    /** Bad percent-encoding and other bytes that are hard to decode. */
    static final String[] BAD_ENCODINGS = {"%", "%G1", "%zz", "%2", "%%", "%u0041", "%C3%28", "%ED%A0%80", "%C0%AF",
        "%F4%90%80%80", "%FF", "%00", "%0D%0A"};

    /** A query value: from the field's pool, another field's pool, or a mutation of one. */
    static String value(Random random, String name) {
        int choice = random.nextInt(10);
        String[] pool = choice < 6 ? pool(name) : pool(NAMES[random.nextInt(NAMES.length)]);
        String value = pool[random.nextInt(pool.length)];
        if (choice >= 8) {
            StringBuilder text = new StringBuilder(value);
            for (int m = 1 + random.nextInt(3); m > 0; m--) {
                int at = text.length() == 0 ? 0 : random.nextInt(text.length() + 1);
                switch (random.nextInt(4)) {
                    case 0 -> text.insert(at, BAD_ENCODINGS[random.nextInt(BAD_ENCODINGS.length)]);
                    case 1 -> text.insert(at, "=@&;,/?:+$!'()*".charAt(random.nextInt(15)));
                    case 2 -> text.insert(at, (char) ('0' + random.nextInt(10)));
                    default -> {
                        if (text.length() > 0) {
                            text.deleteCharAt(Math.min(at, text.length() - 1));
                        }
                    }
                }
            }
            value = text.toString();
        }
        return value;
    }

    /** A query string: known names in any case, some repeated, unknown ones, {@code &} or {@code @} between. */
    static String query(Random random) {
        List<String> pairs = new ArrayList<>();
        int count = random.nextInt(9);
        for (int i = 0; i < count; i++) {
            String name = NAMES[random.nextInt(NAMES.length)];
            String written = switch (random.nextInt(12)) {
                case 0 -> name.toUpperCase(Locale.ROOT);
                case 1 -> "%" + Integer.toHexString(name.charAt(0)).toUpperCase(Locale.ROOT) + name.substring(1);
                case 2 -> random.nextBoolean() ? "x" : "";
                default -> name;
            };
            if (random.nextInt(15) == 0) {
                pairs.add(written); // a name without '='
            } else {
                pairs.add(written + "=" + value(random, name));
            }
            if (random.nextInt(20) == 0) {
                pairs.add(written + "=" + value(random, name)); // repeated
            }
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < pairs.size(); i++) {
            if (i > 0) {
                out.append(switch (random.nextInt(10)) {
                    case 0, 1 -> "@";
                    case 2 -> "&&";
                    default -> "&";
                });
            }
            out.append(pairs.get(i));
        }
        if (random.nextInt(20) == 0) {
            out.append(random.nextBoolean() ? "&" : "@");
        }
        return out.toString();
    }

    /** A sensible query for an endpoint, the base that mutations start from. */
    static String sensible(Random random, String endpoint) {
        String subject = random.nextBoolean() ? "minutosu" : "broker";
        return switch (endpoint) {
            case "/getcost" -> "cstmid=vdf&subj=rif&dest=0256&ts=2012-02-02T17:30:00Z" + (random.nextBoolean()
                    ? "&te=2012-02-02T18:30:00Z" : "&duration=1m30s");
            case "/resetvolumediscountseconds", "/resetuserbudget" -> "cstmid=vdf&subj=" + subject + "&dest=0257";
            default -> "cstmid=vdf&subj=" + subject + "&dest=0723@amount=" + (1 + random.nextInt(5));
        };
    }

    /** A GET request target: an endpoint and a random, sensible or mutated query. */
    static String target(Random random) {
        String endpoint = random.nextInt(12) == 0 ? OTHERS[random.nextInt(OTHERS.length)] : API[random.nextInt(API.length)];
        String query = switch (random.nextInt(4)) {
            case 0 -> sensible(random, endpoint);
            case 1 -> mutateQuery(random, sensible(random, endpoint));
            default -> query(random);
        };
        return query.isEmpty() && random.nextBoolean() ? endpoint : endpoint + "?" + query;
    }

    private static String mutateQuery(Random random, String query) {
        StringBuilder text = new StringBuilder(query);
        for (int m = 1 + random.nextInt(3); m > 0 && text.length() > 0; m--) {
            int at = random.nextInt(text.length());
            switch (random.nextInt(5)) {
                case 0 -> text.insert(at, BAD_ENCODINGS[random.nextInt(BAD_ENCODINGS.length)]);
                case 1 -> text.deleteCharAt(at);
                case 2 -> text.setCharAt(at, "=@&%0a9-.:".charAt(random.nextInt(10)));
                case 3 -> {
                    String name = NAMES[random.nextInt(NAMES.length)];
                    text.append('&').append(name).append('=').append(value(random, name));
                }
                default -> text.insert(at, pool("amount")[random.nextInt(AMOUNTS.length)]);
            }
        }
        return text.toString();
    }

    /** Whether a request could make the server build a huge text (an exponent or digit run out of range). */
    static boolean costly(String text) {
        return text.contains("e1000000000") || text.contains("e-1000000000") || text.contains("e2147483647")
                || text.contains("e-2147483648") || text.contains("e9999") || text.contains("e10000")
                || text.contains("9".repeat(1000)) || text.contains("0".repeat(1000));
    }

    // --- JSON-RPC bodies ---

    static final String[] METHODS = {"Responder.GetCost", "Responder.Get", "Responder.DebitBalance", "Responder.DebitCents",
        "Responder.DebitSMS", "Responder.DebitSeconds", "Responder.GetMaxSessionTime", "Responder.GetExactMaxSessionTime",
        "Responder.AddVolumeDiscountSeconds", "Responder.ResetVolumeDiscountSeconds", "Responder.AddRecievedCallSeconds",
        "Responder.ResetUserBudget", "Responder.Status", "Responder.SetUserBudget", "Responder.MonthlyRefill",
        "Responder.Steal", "", "M".repeat(5000)};

    /** JSON values for descriptor fields: sensible, huge, long, of a wrong type. */
    static final String[] FIELD_VALUES = {"0", "1", "-1", "1.5", "100", "1e1000000000", "-1e1000000000", "1e-1000000000",
        "-1e-1000000000", "1e9999", "1e4000", "9".repeat(64), "1e12", "1e13", "0.0000000001", "true", "null", "[]", "{}",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
        "\"vdf\"", "\"minutosu\"", "\"rif\"", "\"0256\"", "\"\"", "\"" + "x".repeat(300) + "\"", "\"" + "y".repeat(60_000) + "\"",
        "\"\\u0000\"", "\"\\ud800\"", "\"2012-02-02T17:30:00Z\"", "\"2012-02-02T18:30:00Z\"", "\"0001-01-01T00:00:00Z\"",
        "\"+999999999-12-31T23:59:59Z\"", "\"9999-12-31T23:59:59Z\"", "\"yesterday\"", "\"" + "9".repeat(50_000) + "\"",
        "\"NaN\"", "\"Infinity\"", "\"1e1000000000\""};

    static final String[] FIELDS = {"TOR", "CstmId", "Subject", "DestinationPrefix", "TimeStart", "TimeEnd", "Amount",
        "RequestId"};

    /** A JSON-RPC request body: sensible fields mostly, some of them replaced by anything. */
    static String jsonRpc(Random random, int id) {
        StringBuilder descriptor = new StringBuilder("{");
        String[] sensible = {"0", "\"vdf\"", random.nextBoolean() ? "\"minutosu\"" : "\"rif\"", "\"0256\"",
            "\"2012-02-02T17:30:00Z\"", "\"2012-02-02T18:30:00Z\"", String.valueOf(1 + random.nextInt(3)),
            "\"fz-" + id + "-" + random.nextInt(1_000_000) + "\""};
        for (int f = 0; f < FIELDS.length; f++) {
            if (random.nextInt(6) == 0) {
                continue;
            }
            String value = random.nextInt(3) == 0 ? FIELD_VALUES[random.nextInt(FIELD_VALUES.length)] : sensible[f];
            descriptor.append(descriptor.length() > 1 ? "," : "").append('"').append(FIELDS[f]).append("\":").append(value);
        }
        descriptor.append('}');
        String idText = switch (random.nextInt(12)) {
            case 0 -> FIELD_VALUES[random.nextInt(FIELD_VALUES.length)];
            case 1 -> "\"" + "i".repeat(5000) + "\"";
            default -> String.valueOf(id);
        };
        String version = random.nextInt(5) == 0 ? "\"jsonrpc\":\"2.0\"," : "";
        return "{" + version + "\"id\":" + idText + ",\"method\":\"" + METHODS[random.nextInt(METHODS.length)]
                + "\",\"params\":[" + descriptor + "]}";
    }

    /** One to three byte mutations: flips, truncation, insertion, deletion. */
    static byte[] mutate(Random random, byte[] input) {
        StringBuilder text = new StringBuilder(new String(input, StandardCharsets.ISO_8859_1));
        for (int m = 1 + random.nextInt(3); m > 0 && text.length() > 0; m--) {
            int at = random.nextInt(text.length());
            switch (random.nextInt(6)) {
                case 0 -> text.setCharAt(at, (char) ((text.charAt(at) ^ (1 << random.nextInt(8))) & 0xff));
                case 1 -> text.setLength(at);
                case 2 -> text.insert(at, "{}[]\":,\\".charAt(random.nextInt(8)));
                case 3 -> text.insert(at, (char) random.nextInt(256));
                case 4 -> text.delete(at, Math.min(text.length(), at + 1 + random.nextInt(8)));
                default -> text.insert(at, FIELD_VALUES[random.nextInt(FIELD_VALUES.length)]);
            }
        }
        return text.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
