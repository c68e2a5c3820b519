package io.ratestream.app.cli;

import io.ratestream.streams.topology.Replay;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Rebuilds every budget from the command log, and compares with the live state. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Rebuilds every budget from ratestream.commands in offset order, admitting budget-setting commands by ratestream.admin-commands (in memory; writes nothing). With --verify, "
                + "compares the result, key by key, with the live budgets of the application; exits 1 on a "
                + "difference.")
final class ReplayCommand implements Callable<Integer> {

    @Mixin
    SharedOptions.Kafka kafka;

    @Option(names = "--application-id", defaultValue = io.ratestream.streams.StreamsAppConfig.DEFAULT_APPLICATION_ID,
            description = "the live streams app's application id (default: ${DEFAULT-VALUE})")
    String applicationId;

    @Option(names = "--verify", description = "compare with the live budgets")
    boolean verify;

    @Option(names = "--idempotency-retention-hours", defaultValue = "" + io.ratestream.streams.StreamsAppConfig.DEFAULT_IDEMPOTENCY_RETENTION_HOURS,
            description = "the streams app's idempotency retention (default: ${DEFAULT-VALUE})")
    long retentionHours;

    @Mixin
    SharedOptions.KafkaProperties kafkaProperties;


    @Override
    public Integer call() {
        Replay replay = new Replay(kafka.bootstrap, kafkaProperties.values, Duration.ofHours(retentionHours),
                Duration.ofMinutes(5));
        if (!verify) {
            Replay.Result result = replay.run();
            System.out.printf("replayed %d commands (%d unusable records skipped) into %d budgets, up to offsets %s%n",
                    result.commands(), result.rejected(), result.budgets().size(), result.endOffsets());
            return 0;
        }
        Replay.Verification check = replay.verify(applicationId);
        Replay.Result result = check.replay();
        System.out.printf("replayed %d commands into %d budgets; live %s has %d budgets%n", result.commands(),
                result.budgets().size(), applicationId, check.liveBudgets());
        if (!check.liveAtSnapshot()) {
            System.out.printf("note: the live app was at offsets %s while the replay read up to %s; differences may be "
                    + "commands processed in between: run again when traffic is quiet%n", check.liveOffsets(),
                    result.endOffsets());
        }
        for (Replay.Difference difference : check.differences()) {
            System.out.printf("DIFFERENT %s%n  live:     %s%n  replayed: %s%n", difference.key(), difference.live(),
                    difference.replayed());
        }
        System.out.println(check.identical() ? "identical: every budget equals its replay, digit for digit"
                : check.differences().size() + " budgets differ");
        return check.identical() ? 0 : 1;
    }
}
