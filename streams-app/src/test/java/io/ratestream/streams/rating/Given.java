package io.ratestream.streams.rating;

import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.files.CgratesFiles;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.model.ActivationPeriod;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.Destination;
import io.ratestream.schemas.model.Interval;
import io.ratestream.schemas.model.MinuteBucket;
import io.ratestream.schemas.model.RatingProfile;
import io.ratestream.schemas.model.TariffPlan;
import io.ratestream.schemas.model.UserBudget;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Test data: the original sample files plus whatever a test adds, and builders for commands. */
final class Given {

    static final DataSet DEMO = new CgratesFiles(Json.newMapper()).readDirectory(Path.of("..", "demo", "cgrates-2012"));
    static final Instant ACCEPTED = Instant.parse("2012-02-02T17:00:00Z");

    private static final AtomicLong IDS = new AtomicLong();

    private final List<RatingProfile> profiles = new ArrayList<>(DEMO.ratingProfiles());
    private final List<Destination> destinations = new ArrayList<>(DEMO.destinations());
    private final List<TariffPlan> plans = new ArrayList<>(DEMO.tariffPlans());

    /** A record read with the project's JSON configuration. */
    static <T> T json(String json, Class<T> type) {
        try {
            return Json.newMapper().readValue(json, type);
        } catch (java.io.IOException e) {
            throw new AssertionError("test JSON does not read: " + json, e);
        }
    }

    static Given demo() {
        return new Given();
    }

    Given profile(RatingProfile profile) {
        profiles.add(profile);
        return this;
    }

    Given destination(String id, String... prefixes) {
        destinations.add(new Destination(id, List.of(prefixes)));
        return this;
    }

    Given plan(TariffPlan plan) {
        plans.add(plan);
        return this;
    }

    Engine engine() {
        return new Engine(new InMemoryReferenceData(profiles, destinations, plans));
    }

    /** The sample file's budget of a subject. */
    static UserBudget budget(String subject) {
        return DEMO.userBudgets().stream().filter(b -> b.id().equals(subject)).findFirst().orElseThrow();
    }

    /** A budget with only a credit and buckets. */
    static UserBudget budget(String subject, String credit, String plan, MinuteBucket... buckets) {
        return new UserBudget(subject, new BigDecimal(credit), null, null, null, null, 0, plan, List.of(buckets),
                null);
    }

    static MinuteBucket bucket(String seconds, int priority, String price, String destination) {
        return new MinuteBucket(new BigDecimal(seconds), priority, new BigDecimal(price), destination);
    }

    /** A profile of tenant vdf with one period activated at 2012-01-01 holding these intervals. */
    static RatingProfile profile(String subject, String prefix, Interval... intervals) {
        return new RatingProfile(0, "vdf", subject, prefix, List.of(
                new ActivationPeriod(OffsetDateTime.parse("2012-01-01T00:00:00Z"), List.of(intervals))));
    }

    /** An interval on any day between two times ("" for open), at a price per unit. */
    static Interval interval(String start, String end, String price, String unit) {
        return interval(start, end, price, unit, "0", 0);
    }

    static Interval interval(String start, String end, String price, String unit, String connectFee, int ponder) {
        return new Interval(0, 0, List.of(), time(start), time(end), ponder, new BigDecimal(connectFee),
                new BigDecimal(price), new BigDecimal(unit));
    }

    private static LocalTime time(String text) {
        return text.isEmpty() ? null : LocalTime.parse(text);
    }

    static CallDescriptor call(String subject, String destination, String start, String end) {
        return new CallDescriptor(0, "vdf", subject, destination, start == null ? null : OffsetDateTime.parse(start),
                end == null ? null : OffsetDateTime.parse(end), null, null);
    }

    static CallDescriptor amount(String subject, String destination, String amount) {
        return new CallDescriptor(0, "vdf", subject, destination, null, null, new BigDecimal(amount), null);
    }

    static Command command(Method method, CallDescriptor descriptor) {
        return command(method, descriptor, ACCEPTED);
    }

    static Command command(Method method, CallDescriptor descriptor, Instant acceptedAt) {
        return new Command("test-" + IDS.incrementAndGet(), method, descriptor, acceptedAt, null, null);
    }

    static Command setBudget(UserBudget budget, Instant acceptedAt) {
        CallDescriptor descriptor = new CallDescriptor(0, "vdf", budget.id(), null, null, null, null, null);
        return new Command("set-" + IDS.incrementAndGet(), Method.SET_USER_BUDGET, descriptor, acceptedAt, null,
                budget);
    }
}
