package io.ratestream.gateway.jsonrpc;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Inputs for the JSON-RPC fuzz suite: requests as a client (careful or hostile) writes them, and
 * mutations of their bytes. Texts are built as "byte strings" (one char per byte, ISO-8859-1) so that
 * they can hold bytes that are not UTF-8; {@link #bytes} turns one into the bytes on the wire.
 */
final class JsonRpcInputs {

    private JsonRpcInputs() {
    }

    /** How far from a careful client the values of a request may stray. */
    enum Style {
        /** Ordinary ids (unique per sequence) and values of ordinary size; any type, any method. */
        ORDINARY,
        /** Anything: huge numbers, long strings, control characters, bad UTF-8, deep nesting, odd ids. */
        HOSTILE
    }

    static final String[] METHODS = {
        "Responder.GetCost", "Responder.Get", "Responder.DebitBalance", "Responder.DebitCents", "Responder.DebitSMS",
        "Responder.DebitSeconds", "Responder.GetMaxSessionTime", "Responder.GetExactMaxSessionTime",
        "Responder.AddVolumeDiscountSeconds", "Responder.ResetVolumeDiscountSeconds", "Responder.AddRecievedCallSeconds",
        "Responder.AddReceivedCallSeconds", "Responder.ResetUserBudget", "Responder.Status", "responder.getcost",
        "RESPONDER.DEBITBALANCE", "GetCost", "Responder.SetUserBudget", "Responder.MonthlyRefill", "Responder.",
        "Responder.Steal", "", " ", "\u021b\u0103r\u0103", "rpc.discover", "Responder.SessionStart",
        "Responder.SessionUpdate", "Responder.SessionEnd", "Responder.SessionExpiry", "responder.sessionend"};

    static final String[] FIELDS = {"TOR", "CstmId", "Subject", "DestinationPrefix", "TimeStart", "TimeEnd", "Amount",
        "RequestId", "SessionId", "Used"};

    /** Numbers a careful client writes. */
    static final String[] ORDINARY_NUMBERS = {"0", "1", "-1", "7", "100", "1.5", "60.35", "0.000001", "-2.5", "540",
        "1000000000000", "2147483647", "0.0", "1E+2", "5e-1"};

    /** Numbers at and beyond every bound: huge exponents, long digit strings, the edges of int, long, double. */
    static final String[] HUGE_NUMBERS = {"1e1000000000", "-1e1000000000", "1e-1000000000", "-1e-1000000000",
        "1E+999999999", "1e2147483647", "1e4000", "-1e9999", "1e10000", "1e-10000", "1e-2147483648", "9".repeat(10_000), "9".repeat(64), "9".repeat(65),
        "1" + "0".repeat(63), "0." + "0".repeat(61) + "1", "123456789012345678901234567890.123456789", "1e309",
        "-1e309", "1e-400", "4.9e-324", "2147483648", "-2147483649", "9223372036854775808", "-9223372036854775809",
        "-0", "0e0", "-0.0e-0", "1000000000001", "0.0000000001", "1e13", "99999999999.999999999"};

    /** Tokens that look like numbers and are not JSON. */
    static final String[] NOT_NUMBERS = {"NaN", "-NaN", "Infinity", "-Infinity", "+1", "01", ".5", "1.", "1e", "--1",
        "0x10", "1_000", "1e+", utf8("\u0661")};

    static final String[] ORDINARY_STRINGS = {"vdf", "rif", "0256", "0256308200", "minutosu", "broker", "", " ",
        "req-1", "Responder.GetCost", "\u021b\u0103r\u0103", "\uD83D\uDE00", "2012-02-02T17:30:00Z", "100", "a b"};

    static final String[] TIMES = {"2012-02-02T17:30:00Z", "2012-02-02T18:30:00Z", "2012-02-02T19:30:00+02:00",
        "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z",
        "+10000-01-01T00:00:00Z", "1899-12-31T23:59:59Z", "1900-01-01T00:00:00Z", "2200-12-31T23:59:59.999999999Z",
        "2201-01-01T00:00:00Z", "2012-02-30T00:00:00Z", "2012-13-01T00:00:00Z", "2012-02-02T24:00:00Z",
        "2012-02-02T17:30:60Z", "2012-02-02T17:30:00+25:00", "2012-02-02T17:30:00+18:00", "2012-02-02 17:30:00",
        "2012-02-02T17:30:00", "2012-02-02", "2012-02-02T17:30:00.1234567891Z", "2012-02-02t17:30:00z", "yesterday",
        "", " ", "0", "1328203800", "\u0000"};

    /** A text as the bytes UTF-8 gives it, one char per byte. */
    static String utf8(String text) {
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    /** The wire bytes of a byte string. */
    static byte[] bytes(String byteString) {
        return byteString.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A JSON string literal of a text, escaped as any JSON writer escapes it, as a byte string. */
    static String str(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return utf8(out.append('"').toString());
    }

    /** Strings a hostile client writes, as JSON literals (byte strings; some are not valid UTF-8 or not valid JSON). */
    static String hostileString(Random random) {
        return switch (random.nextInt(16)) {
            case 0 -> str("x".repeat(257));
            case 1 -> str("y".repeat(4097));
            case 2 -> str("z".repeat(20_000 + random.nextInt(50_000)));
            case 3 -> str("\u0000");
            case 4 -> str("a\u001fb\u007fc");
            case 5 -> "\"\\ud800\""; // a lone surrogate, escaped
            case 6 -> "\"\\udc00\\ud800x\"";
            case 7 -> "\"" + raw(0xC3, 0x28) + "\""; // bad UTF-8
            case 8 -> "\"" + raw(0xFF, 0xFE) + "\"";
            case 9 -> "\"" + raw(0xED, 0xA0, 0x80) + "\""; // a UTF-8 encoded surrogate
            case 10 -> "\"" + raw(0xC0, 0xAF) + "\""; // overlong '/'
            case 11 -> "\"" + raw(0xF4, 0x90, 0x80, 0x80) + "\""; // beyond U+10FFFF
            case 12 -> "\"a" + raw(0x0A) + "b\""; // raw newline inside a string
            case 13 -> str("vdf:rif");
            case 14 -> "\"\\x41\\q\"";
            default -> str(TIMES[random.nextInt(TIMES.length)]);
        };
    }

    static String raw(int... bytes) {
        StringBuilder out = new StringBuilder();
        for (int b : bytes) {
            out.append((char) (b & 0xff));
        }
        return out.toString();
    }

    /** A JSON value of any type, ordinary or hostile. */
    static String value(Random random, Style style, int depth) {
        int kind = random.nextInt(style == Style.HOSTILE ? 14 : 10);
        return switch (kind) {
            case 0, 1 -> ORDINARY_NUMBERS[random.nextInt(ORDINARY_NUMBERS.length)];
            case 2, 3 -> str(ORDINARY_STRINGS[random.nextInt(ORDINARY_STRINGS.length)]);
            case 4 -> str(TIMES[random.nextInt(TIMES.length)]);
            case 5 -> random.nextBoolean() ? "true" : "false";
            case 6 -> "null";
            case 7 -> depth > 2 ? "[]" : "[" + value(random, style, depth + 1) + "]";
            case 8 -> depth > 2 ? "{}" : "{" + str("k") + ":" + value(random, style, depth + 1) + "}";
            case 9 -> "{}";
            case 10 -> HUGE_NUMBERS[random.nextInt(HUGE_NUMBERS.length)];
            case 11 -> hostileString(random);
            case 12 -> nested(random.nextInt(4) == 0 ? 40 + random.nextInt(200) : 60 + random.nextInt(8));
            default -> NOT_NUMBERS[random.nextInt(NOT_NUMBERS.length)];
        };
    }

    /** An array nested {@code depth} deep. */
    static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    /** A field name in the letter case a client might use. */
    static String fieldName(Random random, String name) {
        return switch (random.nextInt(6)) {
            case 0 -> name.toLowerCase(Locale.ROOT);
            case 1 -> name.toUpperCase(Locale.ROOT);
            default -> name;
        };
    }

    /** A call descriptor: mostly sensible values, each field sometimes of a wrong type or absent. */
    static String descriptor(Random random, Style style) {
        List<String> members = new ArrayList<>();
        for (String field : FIELDS) {
            if (random.nextInt(4) == 0) {
                continue;
            }
            String value = random.nextInt(3) == 0 ? value(random, style, 1) : sensible(random, field, style);
            members.add(str(fieldName(random, field)) + ":" + value);
        }
        if (random.nextInt(8) == 0) {
            members.add(str("Unknown") + ":" + value(random, style, 1));
        }
        java.util.Collections.shuffle(members, random);
        return "{" + String.join(",", members) + "}";
    }

    private static String sensible(Random random, String field, Style style) {
        boolean hostile = style == Style.HOSTILE && random.nextBoolean();
        return switch (field) {
            case "TOR" -> hostile ? HUGE_NUMBERS[random.nextInt(HUGE_NUMBERS.length)] : "0";
            case "CstmId" -> hostile ? hostileString(random) : str("vdf");
            case "Subject" -> hostile ? hostileString(random) : str(random.nextBoolean() ? "rif" : "minutosu");
            case "DestinationPrefix" -> hostile ? hostileString(random) : str("0256");
            case "TimeStart", "TimeEnd" -> str(TIMES[random.nextInt(hostile ? TIMES.length : 3)]);
            case "Amount", "Used" -> hostile ? HUGE_NUMBERS[random.nextInt(HUGE_NUMBERS.length)]
                    : ORDINARY_NUMBERS[random.nextInt(ORDINARY_NUMBERS.length)];
            case "SessionId" -> hostile ? hostileString(random) : str("call-" + random.nextInt(20));
            default -> hostile ? hostileString(random) : str("req-" + random.nextInt(1000));
        };
    }

    /** The params member's value. */
    static String params(Random random, Style style) {
        return switch (random.nextInt(10)) {
            case 0 -> value(random, style, 1);
            case 1 -> "[]";
            case 2 -> "[" + descriptor(random, style) + "," + descriptor(random, style) + "]";
            case 3 -> descriptor(random, style);
            default -> "[" + descriptor(random, style) + "]";
        };
    }

    /** An ordinary id: unique within a sequence when {@code unique} is its number. */
    static String ordinaryId(Random random, int unique) {
        return switch (random.nextInt(4)) {
            case 0 -> str("id-" + unique);
            case 1 -> unique + ".5";
            default -> String.valueOf(unique);
        };
    }

    /** Any id, ordinary or not. */
    static String hostileId(Random random, int unique) {
        return switch (random.nextInt(10)) {
            case 0 -> HUGE_NUMBERS[random.nextInt(HUGE_NUMBERS.length)];
            case 1 -> hostileString(random);
            case 2 -> "null";
            case 3 -> random.nextBoolean() ? "true" : "false";
            case 4 -> "[1,\"a\"]";
            case 5 -> "{\"n\":" + unique + "}";
            case 6 -> nested(random.nextInt(70));
            default -> ordinaryId(random, unique);
        };
    }

    /**
     * One request object. With {@link Style#ORDINARY} it is always a well-formed request with a unique,
     * ordinary id; with {@link Style#HOSTILE} it is valid JSON text at most as far as its values allow.
     */
    static String request(Random random, Style style, int unique) {
        List<String> members = new ArrayList<>();
        String method = METHODS[random.nextInt(METHODS.length)];
        if (style == Style.HOSTILE && random.nextInt(10) == 0) {
            members.add(str("method") + ":" + (random.nextBoolean() ? value(random, style, 1) : str("M".repeat(20_000))));
        } else {
            members.add(str("method") + ":" + str(method));
        }
        boolean v2 = random.nextInt(5) == 0;
        if (v2) {
            members.add(str("jsonrpc") + ":" + str("2.0"));
        }
        if (random.nextInt(6) != 0) {
            members.add(str("params") + ":" + params(random, style));
        }
        if (!(v2 && random.nextInt(4) == 0)) { // else a JSON-RPC 2.0 notification
            members.add(str("id") + ":" + (style == Style.HOSTILE ? hostileId(random, unique) : ordinaryId(random, unique)));
        }
        if (random.nextInt(10) == 0) {
            members.add(str("extra") + ":" + value(random, style, 1));
        }
        java.util.Collections.shuffle(members, random);
        return "{" + join(random, members) + "}";
    }

    private static String join(Random random, List<String> members) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < members.size(); i++) {
            if (i > 0) {
                out.append(space(random)).append(',').append(space(random));
            }
            out.append(members.get(i));
        }
        return out.toString();
    }

    /** JSON whitespace, often none. */
    static String space(Random random) {
        return switch (random.nextInt(8)) {
            case 0 -> " ";
            case 1 -> "\n";
            case 2 -> "\r\n";
            case 3 -> "\t ";
            default -> "";
        };
    }

    /** Several requests in one byte stream, separated by JSON whitespace or nothing. */
    static String sequence(Random random, Style style, int count, int firstId) {
        StringBuilder out = new StringBuilder(space(random));
        for (int i = 0; i < count; i++) {
            out.append(request(random, style, firstId + i)).append(space(random));
        }
        return out.toString();
    }

    /** Cut points for feeding bytes in several reads: none, a few, or (for short inputs) every byte. */
    static int[] cuts(Random random, int length) {
        if (length < 2) {
            return new int[0];
        }
        int mode = random.nextInt(6);
        if (mode == 0 && length <= 400) {
            int[] every = new int[length - 1];
            for (int i = 0; i < every.length; i++) {
                every[i] = i + 1;
            }
            return every;
        }
        int count = mode == 1 ? 0 : 1 + random.nextInt(Math.min(8, length - 1));
        return random.ints(count, 1, length).sorted().distinct().toArray();
    }

    /** Characters that change a JSON text's structure. */
    private static final String STRUCTURE = "{}[]\":,\\ 0e.-";

    /** Tokens that a mutation may insert. */
    private static final String[] INSERTS = {"{", "}", "[", "]", "\"", ":", ",", "\\", " ", "\n", "null", "1e1000000000",
        "9".repeat(10_000), "\\u0000", "\\ud800", raw(0xC3, 0x28), raw(0xFF), raw(0x00), raw(0x0B), raw(0x1C),
        "[".repeat(100), "{\"a\":".repeat(70), "\"" + "x".repeat(3000) + "\"", "}{", "{\"method\":\"Responder.Status\"}",
        "NaN", "-", ".", "e", "\"id\":", "\"method\":1,"};

    /** Applies one to four random mutations to a byte string. */
    static String mutate(Random random, String input) {
        StringBuilder text = new StringBuilder(input);
        int mutations = 1 + random.nextInt(4);
        for (int m = 0; m < mutations && text.length() > 0; m++) {
            int at = random.nextInt(text.length());
            switch (random.nextInt(9)) {
                case 0 -> text.setCharAt(at, (char) ((text.charAt(at) ^ (1 << random.nextInt(8))) & 0xff));
                case 1 -> text.setCharAt(at, (char) random.nextInt(256));
                case 2 -> text.setCharAt(at, STRUCTURE.charAt(random.nextInt(STRUCTURE.length())));
                case 3 -> text.setLength(at); // truncation
                case 4 -> text.insert(at, INSERTS[random.nextInt(INSERTS.length)]);
                case 5 -> {
                    StringBuilder noise = new StringBuilder();
                    for (int i = 1 + random.nextInt(8); i > 0; i--) {
                        noise.append((char) random.nextInt(256));
                    }
                    text.insert(at, noise);
                }
                case 6 -> text.delete(at, Math.min(text.length(), at + 1 + random.nextInt(16)));
                case 7 -> {
                    int end = Math.min(text.length(), at + 1 + random.nextInt(64));
                    String slice = text.substring(at, end);
                    text.insert(random.nextInt(text.length() + 1), slice);
                }
                default -> replaceNumber(random, text);
            }
        }
        return text.toString();
    }

    /** Replaces the first digit run after a random point with a huge number. */
    private static void replaceNumber(Random random, StringBuilder text) {
        int from = random.nextInt(text.length());
        for (int i = from; i < text.length(); i++) {
            if (Character.isDigit(text.charAt(i))) {
                int end = i;
                while (end < text.length() && (Character.isDigit(text.charAt(end)) || text.charAt(end) == '.')) {
                    end++;
                }
                text.replace(i, end, HUGE_NUMBERS[random.nextInt(HUGE_NUMBERS.length)]);
                return;
            }
        }
    }

    /** Random bytes: half drawn from JSON's own characters (which get much further into a parser). */
    static String garbage(Random random) {
        int length = 1 + random.nextInt(random.nextInt(10) == 0 ? 5000 : 300);
        String alphabet = "{}[]\"\\:, \n\t0123456789.eE-+truefalsnul";
        StringBuilder out = new StringBuilder(length);
        boolean json = random.nextBoolean();
        for (int i = 0; i < length; i++) {
            out.append(json ? alphabet.charAt(random.nextInt(alphabet.length())) : (char) random.nextInt(256));
        }
        if (json && random.nextBoolean()) {
            out.setCharAt(0, '{');
        }
        return out.toString();
    }
}
