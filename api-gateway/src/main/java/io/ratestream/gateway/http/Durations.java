package io.ratestream.gateway.http;

import io.ratestream.gateway.rpc.RpcException;
import io.ratestream.schemas.json.BoundedDecimal;
import java.math.BigDecimal;
import java.time.Duration;

/**
 * Durations as the original tools wrote them: plain seconds ({@code 90}, {@code 90.5}) or Go's form
 * ({@code 90s}, {@code 1m30s}, {@code 1h}, {@code 1500ms}).
 */
final class Durations {

    private Durations() {
    }

    static Duration parse(String text) {
        String value = text.trim();
        if (value.isEmpty() || value.length() > BoundedDecimal.MAX_TEXT) {
            throw bad(text);
        }
        try {
            if (Character.isDigit(value.charAt(value.length() - 1))) {
                return nanos(new BigDecimal(value), 1_000_000_000L, text);
            }
            long total = 0;
            int i = 0;
            while (i < value.length()) {
                int start = i;
                while (i < value.length() && (Character.isDigit(value.charAt(i)) || value.charAt(i) == '.')) {
                    i++;
                }
                int unitStart = i;
                while (i < value.length() && Character.isLetter(value.charAt(i))) {
                    i++;
                }
                if (start == unitStart || unitStart == i) {
                    throw bad(text);
                }
                BigDecimal amount = new BigDecimal(value.substring(start, unitStart));
                total = Math.addExact(total, nanos(amount, unit(value.substring(unitStart, i), text), text).toNanos());
            }
            return Duration.ofNanos(total);
        } catch (NumberFormatException | ArithmeticException e) {
            throw bad(text);
        }
    }

    private static long unit(String unit, String text) {
        return switch (unit) {
            case "h" -> 3_600_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "s" -> 1_000_000_000L;
            case "ms" -> 1_000_000L;
            case "us", "µs" -> 1_000L;
            case "ns" -> 1L;
            default -> throw bad(text);
        };
    }

    private static Duration nanos(BigDecimal amount, long unitNanos, String text) {
        if (amount.signum() < 0) {
            throw bad(text);
        }
        return Duration.ofNanos(amount.multiply(BigDecimal.valueOf(unitNanos)).longValueExact());
    }

    private static RpcException bad(String text) {
        return RpcException.badRequest("duration '" + BoundedDecimal.quote(text)
                + "' is not seconds (90) or a Go duration (1m30s) of at most 292 years");
    }
}
