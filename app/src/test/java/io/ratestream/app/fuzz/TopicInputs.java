package io.ratestream.app.fuzz;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Records for the topic fuzz: commands, reference records and budgets, valid and mutated. Every
 * mutated record names subjects, destinations and plans of its own ({@code fz...}), never the ledger's
 * subject nor the demo data's keys, so that a mutation that happens to produce a valid record cannot
 * change what the suite checks. Texts are byte strings (one char per byte, ISO-8859-1).
 */
final class TopicInputs {

    private TopicInputs() {
    }

    /** One record to write: key and value bytes (either may be null), and what it is. */
    record Item(byte[] key, byte[] value, String kind) {
        static Item of(String key, String value, String kind) {
            return new Item(key == null ? null : bytes(key), value == null ? null : bytes(value), kind);
        }

        String show() {
            return kind + " key " + (key == null ? "null" : Fuzz.show(key)) + " value "
                    + (value == null ? "null (tombstone)" : Fuzz.show(value));
        }
    }

    static byte[] bytes(String byteString) {
        return byteString.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** A command as any producer writes it. */
    static String command(String requestId, String method, String descriptor, Instant acceptedAt, String extra) {
        return "{\"RequestId\":" + quote(requestId) + ",\"Method\":" + quote(method) + ",\"Descriptor\":" + descriptor
                + ",\"AcceptedAt\":" + quote(acceptedAt.toString()) + (extra == null ? "" : "," + extra) + "}";
    }

    static String descriptor(String subject, String amount) {
        return "{\"CstmId\":\"vdf\",\"Subject\":" + quote(subject) + (amount == null ? "" : ",\"Amount\":" + amount) + "}";
    }

    static final String[] METHODS = {"GetCost", "DebitBalance", "DebitCents", "DebitSMS", "DebitSeconds",
        "GetMaxSessionTime", "GetExactMaxSessionTime", "AddVolumeDiscountSeconds", "ResetVolumeDiscountSeconds",
        "AddRecievedCallSeconds", "ResetUserBudget", "SetUserBudget", "MonthlyRefill"};

    /** Values of every type and size for any field. */
    static final String[] ANY = {"0", "1", "-1", "1.5", "-0.000001", "100", "2147483648", "1e12", "1e13", "0.0000000001",
        "true", "false", "null", "[]", "{}", "[null]", "[{}]", "\"\"", "\" \"", "\"vdf\"", "\"fz\"", "\"0256\"",
        "\"x:y\"", "\"\\u0000\"", "\"\\ud800\"", "\"" + "s".repeat(300) + "\"", "\"2012-02-02T17:30:00Z\"",
        "\"0001-01-01T00:00:00Z\"", "\"+999999999-12-31T23:59:59Z\"", "\"2200-12-31T23:59:59Z\"", "\"yesterday\"",
        "\"NaN\"", "\"Infinity\"", "\"nationale\"", "\"seara\"", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"};

    /** Numbers far out of range, in every form a JSON parser accepts. */
    static final String[] HUGE = {"1e1000000000", "-1e1000000000", "1e-1000000000", "-1e-1000000000", "1e2147483647",
        "1e9999", "-1e9999", "1e-9999", "1e400", "1e64", "-1e-64", "9".repeat(64), "0." + "0".repeat(62) + "1"};

    /** A valid budget for {@code subject}. */
    static String budget(String subject, String credit) {
        return "{\"Id\":" + quote(subject) + ",\"Credit\":" + credit + ",\"SmsCredit\":10,\"ResetDayOfTheMonth\":10,"
                + "\"TariffPlanId\":\"seara\",\"MinuteBuckets\":[{\"Seconds\":10,\"Priority\":10,\"Price\":0.01,"
                + "\"DestinationId\":\"nationale\"},{\"Seconds\":100,\"Priority\":20,\"Price\":0,\"DestinationId\":\"retea\"}]}";
    }

    /** A valid command for a fuzz subject, of any method, with sensible fields. */
    static String validCommand(Random random, String subject, String requestId, Instant acceptedAt) {
        String method = METHODS[random.nextInt(METHODS.length)];
        String descriptor = "{\"CstmId\":\"vdf\",\"Subject\":" + quote(subject) + ",\"DestinationPrefix\":\"0723\","
                + "\"TimeStart\":\"2012-02-02T17:30:00Z\",\"TimeEnd\":\"2012-02-02T17:31:00Z\",\"Amount\":"
                + (1 + random.nextInt(50)) + "}";
        String extra = method.equals("SetUserBudget") ? "\"Budget\":" + budget(subject, "50") : null;
        if (random.nextInt(5) == 0) {
            extra = (extra == null ? "" : extra + ",") + "\"ReplyTo\":" + switch (random.nextInt(6)) {
                case 0 -> "{\"Topic\":\"ratestream.replies\",\"Partition\":999}";
                case 1 -> "{\"Topic\":\"ratestream.commands\",\"Partition\":0}";
                case 2 -> "{\"Topic\":\"no-such-topic\",\"Partition\":0}";
                case 3 -> "{\"Topic\":\"ratestream.replies\",\"Partition\":-7}";
                case 4 -> "{\"Topic\":\"ratestream.replies\"}";
                default -> "\"ratestream.replies\"";
            };
        }
        return command(requestId, method, descriptor, acceptedAt, extra);
    }

    /** Replaces, removes or adds one field somewhere in a JSON text, by a textual edit. */
    static String mutateField(Random random, String json, String[] values) {
        List<Integer> colons = new ArrayList<>();
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c == '"' && (i == 0 || json.charAt(i - 1) != '\\')) {
                inString = !inString;
            } else if (c == ':' && !inString) {
                colons.add(i);
            }
        }
        if (colons.isEmpty()) {
            return json;
        }
        int colon = colons.get(random.nextInt(colons.size()));
        int end = valueEnd(json, colon + 1);
        return json.substring(0, colon + 1) + values[random.nextInt(values.length)] + json.substring(end);
    }

    /** Where the JSON value that starts at {@code start} ends. */
    private static int valueEnd(String json, int start) {
        int depth = 0;
        boolean inString = false;
        for (int i = start; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                    if (depth == 0) {
                        return i + 1;
                    }
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (depth == 0) {
                    return i;
                }
                depth--;
                if (depth == 0) {
                    return i + 1;
                }
            } else if (c == ',' && depth == 0) {
                return i;
            }
        }
        return json.length();
    }

    /** Byte-level mutations: flips, truncation, insertion, deletion, duplication. */
    static String mutateBytes(Random random, String text) {
        StringBuilder out = new StringBuilder(text);
        for (int m = 1 + random.nextInt(3); m > 0 && out.length() > 0; m--) {
            int at = random.nextInt(out.length());
            switch (random.nextInt(6)) {
                case 0 -> out.setCharAt(at, (char) ((out.charAt(at) ^ (1 << random.nextInt(8))) & 0xff));
                case 1 -> out.setLength(at);
                case 2 -> out.insert(at, (char) random.nextInt(256));
                case 3 -> out.insert(at, "{}[]\":,\\".charAt(random.nextInt(8)));
                case 4 -> out.delete(at, Math.min(out.length(), at + 1 + random.nextInt(10)));
                default -> out.insert(at, out.substring(at, Math.min(out.length(), at + 1 + random.nextInt(40))));
            }
        }
        return out.toString();
    }

    static String randomBytes(Random random, int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append((char) random.nextInt(256));
        }
        return out.toString();
    }

    /**
     * A command-topic record that is not a clean command for the key it is written under: a mutated
     * command, random bytes, a tombstone, a wrong key. {@code ledgerKey} is used as a wrong key, so that
     * garbage lands in the ledger's partition, before and between its debits.
     */
    static Item garbageCommand(Random random, int n, String ledgerKey, Instant now) {
        String subject = "fz" + n;
        String key = "vdf:" + subject;
        String valid = validCommand(random, subject, "fz-" + n, now);
        String value;
        String kind;
        switch (random.nextInt(10)) {
            case 0, 1, 2 -> {
                value = mutateField(random, valid, ANY);
                kind = "command with a field mutated";
            }
            case 3, 4 -> {
                value = mutateBytes(random, valid);
                kind = "command with bytes mutated";
            }
            case 5 -> {
                value = randomBytes(random, 1 + random.nextInt(400));
                kind = "random bytes";
            }
            case 6 -> {
                value = random.nextBoolean() ? null : switch (random.nextInt(4)) {
                    case 0 -> "";
                    case 1 -> "null";
                    case 2 -> "[]";
                    default -> "{}";
                };
                kind = "empty value";
            }
            case 7 -> {
                value = valid;
                kind = "valid command under a wrong key";
                key = switch (random.nextInt(4)) {
                    case 0 -> ledgerKey;
                    case 1 -> null;
                    case 2 -> randomBytes(random, 1 + random.nextInt(20));
                    default -> "vdf:" + subject + " ";
                };
            }
            case 8 -> {
                value = mutateField(random, mutateField(random, valid, ANY), ANY);
                kind = "command with two fields mutated";
            }
            default -> {
                value = valid;
                kind = "valid command";
            }
        }
        if (random.nextInt(4) == 0 && !kind.startsWith("valid command under")) {
            key = ledgerKey; // the ledger's partition sees garbage too
            kind += " under the ledger's key";
        }
        return Item.of(key, value, kind);
    }

    /** A SetUserBudget command for a fuzz subject whose budget is broken in one or two places. */
    static Item brokenBudget(Random random, int n, Instant now) {
        String subject = "fzb" + n;
        String budget = budget(subject, String.valueOf(random.nextInt(100)));
        // numbers out of range have a batch of their own (see hugeCommand): here every other kind of damage
        String broken = mutateField(random, budget, ANY);
        if (random.nextBoolean()) {
            broken = mutateField(random, broken, ANY);
        }
        if (random.nextInt(5) == 0) {
            broken = broken.replace("\"Id\":" + quote(subject), "\"Id\":\"other\"");
        }
        String command = command("fzb-" + n, "SetUserBudget", descriptor(subject, null), now, "\"Budget\":" + broken);
        return Item.of("vdf:" + subject, command, "SetUserBudget with a broken budget");
    }

    /** Valid operations on a fuzz budget, to see what the engine makes of a broken one it accepted. */
    static Item budgetFollowUp(Random random, int n, int k, Instant now) {
        String subject = "fzb" + n;
        String method = METHODS[random.nextInt(METHODS.length - 2)];
        String descriptor = "{\"CstmId\":\"vdf\",\"Subject\":" + quote(subject) + ",\"DestinationPrefix\":\"0723\","
                + "\"TimeStart\":\"2012-02-02T17:30:00Z\",\"TimeEnd\":\"2012-02-02T17:31:00Z\",\"Amount\":" + (1 + k) + "}";
        return Item.of("vdf:" + subject, command("fzb-" + n + "-" + k, method, descriptor, now, null),
                "a " + method + " on a budget set by SetUserBudget fuzz");
    }

    /** A command whose only fault is a number far out of range, in the amount, the budget, or the time. */
    static Item hugeCommand(Random random, int n, Instant now) {
        String subject = "fzh" + n;
        String huge = HUGE[random.nextInt(HUGE.length)];
        String method = METHODS[random.nextInt(METHODS.length - 1)];
        String descriptor = "{\"CstmId\":\"vdf\",\"Subject\":" + quote(subject) + ",\"DestinationPrefix\":\"0723\","
                + "\"TimeStart\":\"2012-02-02T17:30:00Z\",\"TimeEnd\":\"2012-02-02T17:31:00Z\",\"Amount\":" + huge
                + ",\"TOR\":" + (random.nextBoolean() ? "0" : huge) + "}";
        String extra = method.equals("SetUserBudget") ? "\"Budget\":" + (random.nextBoolean() ? budget(subject, huge)
                : mutateField(random, budget(subject, "1"), HUGE)) : null;
        return Item.of("vdf:" + subject, command("fzh-" + n, method, descriptor, now, extra), "a number out of range");
    }

    // --- reference data ---

    static String ratingProfile(String tenant, String subject, String prefix) {
        return "{\"TOR\":0,\"CstmId\":" + quote(tenant) + ",\"Subject\":" + quote(subject) + ",\"DestinationPrefix\":"
                + quote(prefix) + ",\"ActivationPeriods\":[{\"ActivationTime\":\"2012-01-01T00:00:00Z\",\"Intervals\":"
                + "[{\"BillingUnit\":1,\"ConnectFee\":0.5,\"Month\":0,\"MonthDay\":0,\"Ponder\":0,\"Price\":0.2,"
                + "\"StartTime\":\"\",\"EndTime\":\"\",\"WeekDays\":[]}]}]}";
    }

    static String destination(String id) {
        return "{\"Id\":" + quote(id) + ",\"Prefixes\":[\"0256\",\"0257\",\"0723\"]}";
    }

    static String tariffPlan(String id) {
        return "{\"Id\":" + quote(id) + ",\"SmsCredit\":100,\"ReceivedCallsSecondsLimit\":100,\"RecivedCallBonus\":"
                + "{\"Credit\":100},\"MinuteBuckets\":[{\"Seconds\":10,\"Priority\":10,\"Price\":0.01,\"DestinationId\":"
                + "\"nationale\"}],\"VolumeDiscountThresholds\":[{\"Volume\":100,\"Discount\":10}]}";
    }

    /** A record for one of the three reference topics, keyed away from the demo data, mutated. */
    static Item garbageReference(Random random, int n, String topic) {
        String key;
        String valid;
        switch (topic) {
            case "ratestream.rating-profiles" -> {
                key = "fzt:fz" + n + ":0256";
                valid = ratingProfile("fzt", "fz" + n, "0256");
            }
            case "ratestream.destinations" -> {
                key = "fz-dest-" + n;
                valid = destination(key);
            }
            default -> {
                key = "fz-plan-" + n;
                valid = tariffPlan(key);
            }
        }
        String[] values = random.nextInt(4) == 0 ? HUGE : ANY;
        String value;
        String kind;
        switch (random.nextInt(9)) {
            case 0, 1, 2 -> {
                value = mutateField(random, valid, values);
                kind = "reference record with a field mutated";
            }
            case 3 -> {
                value = mutateField(random, mutateField(random, valid, values), values);
                kind = "reference record with two fields mutated";
            }
            case 4 -> {
                value = mutateBytes(random, valid);
                kind = "reference record with bytes mutated";
            }
            case 5 -> {
                value = randomBytes(random, 1 + random.nextInt(300));
                kind = "random bytes";
            }
            case 6 -> {
                value = switch (random.nextInt(5)) {
                    case 0 -> null;
                    case 1 -> "null";
                    case 2 -> "";
                    case 3 -> "[]";
                    default -> "{}";
                };
                kind = "empty value";
            }
            case 7 -> {
                value = valid;
                // (a compacted topic refuses a record without a key at the broker: it never reaches the app)
                key = random.nextBoolean() ? "" : key + "-other";
                kind = "valid record under a wrong key";
            }
            default -> {
                value = valid;
                kind = "valid record";
            }
        }
        return Item.of(key, value, kind + " on " + topic);
    }
}
