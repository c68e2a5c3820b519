package io.ratestream.app.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The proportions of the four calls, parsed from {@code getcost=40,debitbalance=30,...} or named by a
 * preset ({@link #PRESETS}). Weights are relative (they need not add up to 100); a call left out has
 * weight 0. Immutable.
 */
final class Mix {

    /** The mix bench runs without {@code --mix}. */
    static final String DEFAULT = "getcost=40,debitbalance=30,debitseconds=20,getmaxsessiontime=10";

    /**
     * Named mixes. {@code go}: the Go client of issue 13 (net/rpc/jsonrpc, as the 2012 switches call):
     * half GetCost of the worked example (vdf:rif's profile, 0256, 2012-02-02 17:30-18:30 UTC, two spans,
     * cost 540), half DebitBalance. {@code default}: the mix without {@code --mix}.
     */
    static final Map<String, String> PRESETS = Map.of("go", "getcost=50,debitbalance=50", "default", DEFAULT);

    private final Map<Op, Integer> weights;
    private final Op[] table;
    private final int[] cumulative;

    private Mix(Map<Op, Integer> weights) {
        this.weights = weights;
        List<Op> ops = new ArrayList<>();
        List<Integer> sums = new ArrayList<>();
        int sum = 0;
        for (Map.Entry<Op, Integer> entry : weights.entrySet()) {
            if (entry.getValue() > 0) {
                sum += entry.getValue();
                ops.add(entry.getKey());
                sums.add(sum);
            }
        }
        this.table = ops.toArray(Op[]::new);
        this.cumulative = sums.stream().mapToInt(Integer::intValue).toArray();
    }

    static Mix parse(String text) {
        String preset = PRESETS.get(text.trim().toLowerCase(Locale.ROOT));
        if (preset != null) {
            return parseWeights(preset);
        }
        return parseWeights(text);
    }

    private static Mix parseWeights(String text) {
        Map<Op, Integer> weights = new EnumMap<>(Op.class);
        for (Op op : Op.values()) {
            weights.put(op, 0);
        }
        for (String part : text.split(",")) {
            String item = part.trim();
            if (item.isEmpty()) {
                continue;
            }
            int equals = item.indexOf('=');
            if (equals < 0) {
                throw new IllegalArgumentException("--mix item '" + item + "' is not name=weight, e.g. getcost=40, "
                        + "nor a preset (" + String.join(", ", PRESETS.keySet().stream().sorted().toList()) + ")");
            }
            Op op = byName(item.substring(0, equals).trim());
            int weight;
            try {
                weight = Integer.parseInt(item.substring(equals + 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--mix weight of " + op.mixName + " must be a whole number; got '"
                        + item.substring(equals + 1).trim() + "'");
            }
            if (weight < 0) {
                throw new IllegalArgumentException("--mix weight of " + op.mixName + " must not be negative");
            }
            weights.put(op, weight);
        }
        if (weights.values().stream().allMatch(w -> w == 0)) {
            throw new IllegalArgumentException("--mix needs at least one positive weight, e.g. getcost=40,debitbalance=60");
        }
        return new Mix(weights);
    }

    private static Op byName(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        return Arrays.stream(Op.values()).filter(op -> op.mixName.equals(wanted)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--mix: unknown call '" + name + "': one of "
                        + Arrays.stream(Op.values()).map(op -> op.mixName).toList()));
    }

    /** The call for a uniformly drawn {@code draw} in {@code [0, total())}. */
    Op pick(int draw) {
        for (int i = 0; i < cumulative.length; i++) {
            if (draw < cumulative[i]) {
                return table[i];
            }
        }
        throw new IllegalArgumentException("draw " + draw + " is not below the total weight " + total());
    }

    int total() {
        return cumulative[cumulative.length - 1];
    }

    int weight(Op op) {
        return weights.get(op);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        weights.forEach((op, w) -> text.append(text.length() == 0 ? "" : ",").append(op.mixName).append('=').append(w));
        return text.toString();
    }
}
