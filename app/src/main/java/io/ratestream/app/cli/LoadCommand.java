package io.ratestream.app.cli;

import io.ratestream.app.Loader;
import io.ratestream.schemas.files.CgratesFiles;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.json.Json;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Loads files in the original CGRateS formats into a running system. */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = "Loads data in the original 2012 JSON formats into a running system. Every file is read and "
                + "validated completely before anything is written; the command returns once the system has "
                + "applied it, showing its progress on standard error, and waits as long as the load progresses. "
                + "Loading the same files twice gives the same state.")
final class LoadCommand implements Callable<Integer> {

    @Mixin
    SharedOptions.Kafka kafka;

    @Option(names = "--tenant", defaultValue = "vdf",
            description = "tenant of the budgets, which the original files do not carry (default: ${DEFAULT-VALUE})")
    String tenant;

    @Option(names = "--data-dir", description = "a directory holding the four files under their original names")
    Path dataDir;

    @Option(names = "--activation-periods", description = "rating profiles (activation_periods.json)")
    Path activationPeriods;

    @Option(names = "--destinations", description = "destinations (destinations.json)")
    Path destinations;

    @Option(names = "--tariff-plans", description = "tariff plans (tariff_plans.json)")
    Path tariffPlans;

    @Option(names = "--user-budgets", description = "user budgets (user_budgets.json)")
    Path userBudgets;

    @Option(names = "--stall-timeout-seconds", defaultValue = "60",
            description = "fail once no record was acknowledged by Kafka or applied by the streams app for this "
                    + "long; a load that keeps progressing waits as long as it needs (default: ${DEFAULT-VALUE})")
    int stallTimeoutSeconds;

    /*
     * Kept, with a new default: it was "the longest to wait" with 60 s, which a large load cannot meet; it
     * still means the longest to wait, for a script that wants a bound, and by default there is none (the
     * stall timeout alone catches a system that stopped). Not an alias of the stall timeout: an explicit
     * --timeout-seconds 600 would then wait far longer than asked for a system that is merely slow.
     */
    @Option(names = "--timeout-seconds", defaultValue = "0",
            description = "the longest the whole load may take, however it progresses; 0 = no limit, only "
                    + "--stall-timeout-seconds (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Option(names = "--max-in-flight", defaultValue = "" + Loader.DEFAULT_MAX_IN_FLIGHT,
            description = "budgets sent and not yet applied by the streams app, at most: they share the command "
                    + "topics' partitions with live calls, which wait behind them; 0 = no limit, every budget "
                    + "written at once. A system that serves no calls yet loads fastest with about 10000 "
                    + "(docs/performance.md) (default: ${DEFAULT-VALUE})")
    int maxInFlight;

    @Mixin
    SharedOptions.KafkaProperties kafkaProperties;


    @Override
    public Integer call() throws Exception {
        DataSet data = read();
        if (data.ratingProfiles().isEmpty() && data.destinations().isEmpty() && data.tariffPlans().isEmpty()
                && data.userBudgets().isEmpty()) {
            throw new IllegalArgumentException("nothing to load: give --data-dir or at least one of "
                    + "--activation-periods, --destinations, --tariff-plans, --user-budgets");
        }
        if (stallTimeoutSeconds < 1 || timeoutSeconds < 0 || maxInFlight < 0) {
            throw new IllegalArgumentException("--stall-timeout-seconds must be at least 1, and --timeout-seconds and "
                    + "--max-in-flight at least 0 (no limit)");
        }
        // Progress on standard error: standard output keeps the one result line a script reads.
        Loader loader = new Loader(kafka.bootstrap, kafkaProperties.values, Clock.systemUTC())
                .withProgress(System.err, Loader.DEFAULT_PROGRESS_INTERVAL)
                .withStallTimeout(Duration.ofSeconds(stallTimeoutSeconds))
                .withTimeout(Duration.ofSeconds(timeoutSeconds))
                .withMaxInFlight(maxInFlight);
        Loader.Report report = loader.load(data, tenant, (String) null);
        System.out.printf("loaded %d rating profiles, %d destinations, %d tariff plans, %d budgets (tenant %s)%n",
                report.ratingProfiles(), report.destinations(), report.tariffPlans(), report.budgets(), tenant);
        report.errors().forEach(error -> System.err.println("refused: " + error));
        return report.errors().isEmpty() ? 0 : 1;
    }

    /** Reads every file given before anything is written: one bad file and nothing is loaded. */
    DataSet read() {
        CgratesFiles files = new CgratesFiles(Json.newMapper());
        if (dataDir != null) {
            return files.readDirectory(dataDir);
        }
        return new DataSet(
                activationPeriods == null ? List.of() : files.readActivationPeriods(activationPeriods),
                destinations == null ? List.of() : files.readDestinations(destinations),
                tariffPlans == null ? List.of() : files.readTariffPlans(tariffPlans),
                userBudgets == null ? List.of() : files.readUserBudgets(userBudgets));
    }
}
