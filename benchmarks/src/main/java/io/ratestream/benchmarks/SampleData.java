package io.ratestream.benchmarks;

import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.files.CgratesFiles;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.streams.rating.Decision;
import io.ratestream.streams.rating.Engine;
import io.ratestream.streams.rating.InMemoryReferenceData;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * The original 2012 sample data and the engine over it, shared by the benchmarks' setup. Not on the
 * measured path: everything here runs once per trial.
 */
final class SampleData {

    /** System property naming the data directory; by default {@code demo/cgrates-2012} under the working directory. */
    static final String DATA_PROPERTY = "ratestream.data";
    static final String TENANT = "vdf";
    static final Instant ACCEPTED_AT = Instant.parse("2012-02-02T17:29:59Z");

    final DataSet data;
    final Engine engine;

    SampleData() {
        this.data = new CgratesFiles(Json.newMapper()).readDirectory(directory());
        this.engine = new Engine(new InMemoryReferenceData(data.ratingProfiles(), data.destinations(),
                data.tariffPlans()));
    }

    private static Path directory() {
        String configured = System.getProperty(DATA_PROPERTY);
        if (configured != null) {
            return Path.of(configured);
        }
        for (Path candidate : new Path[] {Path.of("demo/cgrates-2012"), Path.of("../demo/cgrates-2012")}) {
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("the sample data directory demo/cgrates-2012 is not under "
                + Path.of("").toAbsolutePath() + ": run from the repository root or pass -jvmArgs -D"
                + DATA_PROPERTY + "=/path/to/cgrates-2012");
    }

    /** The budget with this id from user_budgets.json. */
    UserBudget budget(String id) {
        return data.userBudgets().stream().filter(budget -> budget.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no budget " + id + " in user_budgets.json"));
    }

    static Command command(String requestId, Method method, String subject, String destination,
            String start, String end, BigDecimal amount) {
        CallDescriptor descriptor = new CallDescriptor(0, TENANT, subject, destination,
                start == null ? null : OffsetDateTime.parse(start), end == null ? null : OffsetDateTime.parse(end),
                amount, null);
        return new Command(requestId, method, descriptor, ACCEPTED_AT, null, null);
    }

    /** Throws unless the decision is a successful reply: a refusal is fast and would flatter the numbers. */
    static Decision requireOk(Decision decision, String what) {
        if (decision.reply().isError()) {
            throw new IllegalStateException(what + " was refused: " + decision.reply().error());
        }
        return decision;
    }

    static void requireEqual(BigDecimal expected, BigDecimal actual, String what) {
        if (actual == null || expected.compareTo(actual) != 0) {
            throw new IllegalStateException(what + ": expected " + expected.toPlainString() + ", got "
                    + (actual == null ? "null" : actual.toPlainString()));
        }
    }

    static void require(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException(what);
        }
    }
}
