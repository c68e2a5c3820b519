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
                + "applied it. Loading the same files twice gives the same state.")
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

    @Option(names = "--timeout-seconds", defaultValue = "60",
            description = "the longest to wait for the system to apply the data (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

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
        Loader.Report report = new Loader(kafka.bootstrap, kafkaProperties.values, Clock.systemUTC()).load(data, tenant,
                Duration.ofSeconds(timeoutSeconds));
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
