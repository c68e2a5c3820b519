package io.ratestream.schemas.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.ratestream.schemas.json.EmptyStringForNull;
import java.math.BigDecimal;
import java.time.LocalTime;
import java.util.List;

/**
 * A price that applies on some days, between two times of day.
 *
 * @param month 1-12, or 0 for any month
 * @param monthDay 1-31, or 0 for any day of the month
 * @param weekDays days of the week (0 = Sunday ... 6 = Saturday); empty means any day; never null
 * @param startTime inclusive start of the interval; null (written {@code ""}) is the start of the day
 * @param endTime exclusive end; null (written {@code ""}), or {@code 00:00:00}, is the end of the day
 * @param ponder priority among intervals that apply to the same instant; the highest wins
 * @param connectFee charged once when this interval prices the first span of a call; never negative
 * @param price price per billing unit; never negative
 * @param billingUnit seconds the price is for; 0 or absent means 1; never negative
 */
public record Interval(
        @JsonProperty("Month") int month,
        @JsonProperty("MonthDay") int monthDay,
        @JsonProperty("WeekDays") List<Integer> weekDays,
        @JsonProperty("StartTime") @JsonInclude(JsonInclude.Include.ALWAYS)
        @JsonSerialize(nullsUsing = EmptyStringForNull.class) LocalTime startTime,
        @JsonProperty("EndTime") @JsonInclude(JsonInclude.Include.ALWAYS)
        @JsonSerialize(nullsUsing = EmptyStringForNull.class) LocalTime endTime,
        @JsonProperty("Ponder") int ponder,
        @JsonProperty("ConnectFee") BigDecimal connectFee,
        @JsonProperty("Price") BigDecimal price,
        @JsonProperty("BillingUnit") BigDecimal billingUnit) {

    private static final long NANOS_PER_DAY = 86_400_000_000_000L;

    public Interval {
        if (month < 0 || month > 12) {
            throw new IllegalArgumentException("Month must be 1-12, or 0 for any month; got " + month);
        }
        if (monthDay < 0 || monthDay > 31) {
            throw new IllegalArgumentException("MonthDay must be 1-31, or 0 for any day; got " + monthDay);
        }
        weekDays = Decimals.copy(weekDays, "WeekDays");
        for (int day : weekDays) {
            if (day < 0 || day > 6) {
                throw new IllegalArgumentException("WeekDays must hold 0 (Sunday) to 6 (Saturday); got " + day);
            }
        }
        if (endTime != null && endTime.equals(LocalTime.MIDNIGHT)) {
            endTime = null;
        }
        if (startTime != null && endTime != null && !endTime.isAfter(startTime)) {
            throw new IllegalArgumentException("EndTime " + endTime + " must be after StartTime " + startTime
                    + " (split a tariff that crosses midnight into two intervals)");
        }
        connectFee = Decimals.requireInRange(Decimals.orZero(connectFee), "ConnectFee");
        price = Decimals.requireInRange(Decimals.orZero(price), "Price");
        billingUnit = billingUnit == null || billingUnit.signum() == 0 ? BigDecimal.ONE : billingUnit;
        Decimals.requireInRange(billingUnit, "BillingUnit");
        if (connectFee.signum() < 0) {
            throw new IllegalArgumentException("ConnectFee must not be negative; got " + connectFee);
        }
        if (price.signum() < 0) {
            throw new IllegalArgumentException("Price must not be negative; got " + price);
        }
        if (billingUnit.signum() < 0) {
            throw new IllegalArgumentException("BillingUnit must not be negative; got " + billingUnit);
        }
    }

    /** Start of the interval in nanoseconds since midnight. */
    public long startNanoOfDay() {
        return startTime == null ? 0 : startTime.toNanoOfDay();
    }

    /** Exclusive end of the interval in nanoseconds since midnight; a whole day when open-ended. */
    public long endNanoOfDay() {
        return endTime == null ? NANOS_PER_DAY : endTime.toNanoOfDay();
    }

    /**
     * Whether this interval applies on a day, ignoring the time of day.
     *
     * @param dayMonth 1-12
     * @param dayOfMonth 1-31
     * @param dayOfWeek 0 (Sunday) to 6
     */
    public boolean appliesOn(int dayMonth, int dayOfMonth, int dayOfWeek) {
        if (month != 0 && month != dayMonth) {
            return false;
        }
        if (monthDay != 0 && monthDay != dayOfMonth) {
            return false;
        }
        if (weekDays.isEmpty()) {
            return true;
        }
        for (int i = 0, n = weekDays.size(); i < n; i++) {
            if (weekDays.get(i) == dayOfWeek) {
                return true;
            }
        }
        return false;
    }
}
